"""Reference torch modules for the networks with named values (DenseNet, CBAM, IBN-Net, Res2Net, WRN).

DenseNet comes from torchvision itself; the others are transcribed from their authors' code (the
links are on each class), keeping their module names so the state_dict keys are theirs.

  counts NAME...         prints JSON {NAME: {"params", "keys": {key: shape}, "layers": [...]}}:
                         every state_dict entry and every leaf module that ran (name, type, output shape)
  logits OUT NAME...     writes OUT/NAME.safetensors (seeded random weights with non-trivial
                         BatchNorm statistics and affine norms) and OUT/NAME.io.safetensors
                         (`input`, torch's `logits` in eval mode)
"""

import argparse
import functools
import math
import os
import sys

import torch
from torch import nn
from torch.nn import functional as F
from torchvision import models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from leaf_outputs import leaf_outputs  # noqa: E402
from seeded_weights import BATCH_NORMS, write_reference  # noqa: E402


# CBAM, github.com/Jongchan/attention-module MODELS/cbam.py and model_resnet.py (ImageNet ResNet-50, att_type='CBAM').
class BasicConv(nn.Module):
    def __init__(self, in_planes, out_planes, kernel_size, stride=1, padding=0, relu=True, bn=True):
        super().__init__()
        self.conv = nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_planes, eps=1e-5, momentum=0.01, affine=True) if bn else None
        self.relu = nn.ReLU() if relu else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        if self.relu is not None:
            x = self.relu(x)
        return x


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


class ChannelGate(nn.Module):
    def __init__(self, gate_channels, reduction_ratio=16):
        super().__init__()
        self.mlp = nn.Sequential(Flatten(), nn.Linear(gate_channels, gate_channels // reduction_ratio), nn.ReLU(), nn.Linear(gate_channels // reduction_ratio, gate_channels))

    def forward(self, x):
        avg_pool = F.avg_pool2d(x, (x.size(2), x.size(3)), stride=(x.size(2), x.size(3)))
        max_pool = F.max_pool2d(x, (x.size(2), x.size(3)), stride=(x.size(2), x.size(3)))
        channel_att_sum = self.mlp(avg_pool) + self.mlp(max_pool)
        scale = torch.sigmoid(channel_att_sum).unsqueeze(2).unsqueeze(3).expand_as(x)
        return x * scale


class ChannelPool(nn.Module):
    def forward(self, x):
        return torch.cat((torch.max(x, 1)[0].unsqueeze(1), torch.mean(x, 1).unsqueeze(1)), dim=1)


class SpatialGate(nn.Module):
    def __init__(self):
        super().__init__()
        kernel_size = 7
        self.compress = ChannelPool()
        self.spatial = BasicConv(2, 1, kernel_size, stride=1, padding=(kernel_size - 1) // 2, relu=False)

    def forward(self, x):
        return x * torch.sigmoid(self.spatial(self.compress(x)))


class CBAM(nn.Module):
    def __init__(self, gate_channels, reduction_ratio=16):
        super().__init__()
        self.ChannelGate = ChannelGate(gate_channels, reduction_ratio)
        self.SpatialGate = SpatialGate()

    def forward(self, x):
        return self.SpatialGate(self.ChannelGate(x))


# IBN-Net, github.com/XingangPan/IBN-Net ibnnet/modules.py and resnet_ibn.py (ResNet-50-IBN-a).
class IBN(nn.Module):
    def __init__(self, planes, ratio=0.5):
        super().__init__()
        self.half = int(planes * ratio)
        self.IN = nn.InstanceNorm2d(self.half, affine=True)
        self.BN = nn.BatchNorm2d(planes - self.half)

    def forward(self, x):
        split = torch.split(x, self.half, 1)
        return torch.cat((self.IN(split[0].contiguous()), self.BN(split[1].contiguous())), 1)


class Bottleneck(nn.Module):
    """The ImageNet bottleneck of both codes: IBN-a's first norm with ibn='a', CBAM's attention with cbam=True."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, ibn=None, cbam=False):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = IBN(planes) if ibn == 'a' else nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.cbam = CBAM(planes * 4, 16) if cbam else None

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        if self.cbam is not None:
            out = self.cbam(out)
        out += residual
        return self.relu(out)


class ResNet(nn.Module):
    """The ImageNet ResNet CBAM's, IBN-Net's and Res2Net's code build (conv1, bn1, maxpool, layer1-4, AvgPool2d(7), fc).

    `make_block(inplanes, planes, stride, downsample, stage)` builds each block; the first of a stage has the downsample.
    """

    def __init__(self, make_block, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(make_block, 64, layers[0], 1, 0)
        self.layer2 = self._make_layer(make_block, 128, layers[1], 2, 1)
        self.layer3 = self._make_layer(make_block, 256, layers[2], 2, 2)
        self.layer4 = self._make_layer(make_block, 512, layers[3], 2, 3)
        self.avgpool = nn.AvgPool2d(7)
        self.fc = nn.Linear(512 * 4, num_classes)

    def _make_layer(self, make_block, planes, blocks, stride, stage):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * 4, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(planes * 4))
        layers = [make_block(self.inplanes, planes, stride, downsample, stage)]
        self.inplanes = planes * 4
        layers += [make_block(self.inplanes, planes, 1, None, stage) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.avgpool(x)
        return self.fc(x.view(x.size(0), -1))


# Res2Net, github.com/Res2Net/Res2Net-PretrainedModels res2net.py (Bottle2neck, res2net50_26w_4s).
class Bottle2neck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, baseWidth=26, scale=4, stype='normal'):
        super().__init__()
        width = int(math.floor(planes * (baseWidth / 64.0)))
        self.conv1 = nn.Conv2d(inplanes, width * scale, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width * scale)
        self.nums = 1 if scale == 1 else scale - 1
        if stype == 'stage':
            self.pool = nn.AvgPool2d(kernel_size=3, stride=stride, padding=1)
        self.convs = nn.ModuleList([nn.Conv2d(width, width, kernel_size=3, stride=stride, padding=1, bias=False) for _ in range(self.nums)])
        self.bns = nn.ModuleList([nn.BatchNorm2d(width) for _ in range(self.nums)])
        self.conv3 = nn.Conv2d(width * scale, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stype = stype
        self.scale = scale
        self.width = width

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        spx = torch.split(out, self.width, 1)
        for i in range(self.nums):
            sp = spx[i] if i == 0 or self.stype == 'stage' else sp + spx[i]
            sp = self.relu(self.bns[i](self.convs[i](sp)))
            out = sp if i == 0 else torch.cat((out, sp), 1)
        if self.scale != 1 and self.stype == 'normal':
            out = torch.cat((out, spx[self.nums]), 1)
        elif self.scale != 1 and self.stype == 'stage':
            out = torch.cat((out, self.pool(spx[self.nums])), 1)
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        out += residual
        return self.relu(out)


class Res2Net(ResNet):
    """Its first block of a stage is of type 'stage' (a pool on the last split); its head pools adaptively."""

    def __init__(self, layers, num_classes=1000):
        super().__init__(lambda inplanes, planes, stride, downsample, _stage: Bottle2neck(inplanes, planes, stride, downsample, stype='normal' if downsample is None else 'stage'), layers, num_classes)
        self.avgpool = nn.AdaptiveAvgPool2d(1)


# Wide ResNet, github.com/szagoruyko/wide-residual-networks pytorch/resnet.py, its functional
# `block`/`group`/`f` as nn.Modules with the same names (conv0, bn0, bn1, conv1, convdim, bn, fc).
class WrnBlock(nn.Module):
    def __init__(self, ni, no, stride, dropout=0.0):
        super().__init__()
        self.bn0 = nn.BatchNorm2d(ni)
        self.conv0 = nn.Conv2d(ni, no, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(no)
        self.dropout = nn.Dropout(dropout)
        self.conv1 = nn.Conv2d(no, no, 3, 1, 1, bias=False)
        self.convdim = nn.Conv2d(ni, no, 1, stride, bias=False) if ni != no else None

    def forward(self, x):
        o1 = F.relu(self.bn0(x))
        y = self.conv0(o1)
        o2 = self.dropout(F.relu(self.bn1(y)))
        z = self.conv1(o2)
        return z + (self.convdim(o1) if self.convdim is not None else x)


class WideResNet(nn.Module):
    def __init__(self, depth=28, width=10, num_classes=10):
        super().__init__()
        n = (depth - 4) // 6
        widths = [int(v * width) for v in (16, 32, 64)]
        self.conv0 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.group0 = self._group(16, widths[0], n, 1)
        self.group1 = self._group(widths[0], widths[1], n, 2)
        self.group2 = self._group(widths[1], widths[2], n, 2)
        self.bn = nn.BatchNorm2d(widths[2])
        self.fc = nn.Linear(widths[2], num_classes)

    @staticmethod
    def _group(ni, no, count, stride):
        group = nn.Module()
        for i in range(count):
            group.add_module('block%d' % i, WrnBlock(ni if i == 0 else no, no, stride if i == 0 else 1))
        group.forward = lambda o: functools.reduce(lambda acc, block: block(acc), group.children(), o)
        return group

    def forward(self, x):
        o = self.group2(self.group1(self.group0(self.conv0(x))))
        o = F.avg_pool2d(F.relu(self.bn(o)), 8, 1, 0)
        return self.fc(o.view(o.size(0), -1))


def cbam_resnet50():
    return ResNet(lambda inplanes, planes, stride, downsample, _stage: Bottleneck(inplanes, planes, stride, downsample, cbam=True), [3, 4, 6, 3])


def resnet50_ibn_a():
    return ResNet(lambda inplanes, planes, stride, downsample, stage: Bottleneck(inplanes, planes, stride, downsample, ibn='a' if stage < 3 else None), [3, 4, 6, 3])


MODELS = {
    'densenet121': models.densenet121,
    'densenet161': models.densenet161,
    'densenet169': models.densenet169,
    'densenet201': models.densenet201,
    'cbam_resnet50': cbam_resnet50,
    'resnet50_ibn_a': resnet50_ibn_a,
    'res2net50_26w_4s': lambda: Res2Net([3, 4, 6, 3]),
    'wrn28_10': WideResNet,
}
INPUT = {'wrn28_10': (1, 3, 32, 32)}


def input_shape(name):
    return INPUT.get(name, (1, 3, 224, 224))


def counts(model, shape):
    leaves = [(name, module) for name, module in model.named_modules() if name and not list(module.children())]
    return {
        'params': sum(p.numel() for p in model.parameters()),
        'keys': {key: list(value.shape) for key, value in model.state_dict().items()},
        'layers': [{'name': name, 'type': type(module).__name__, 'outputShape': list(output.shape)}
                   for name, (module, output) in leaf_outputs(model, shape, leaves).items()],
    }


def main():
    import json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    count_parser = sub.add_parser('counts')
    count_parser.add_argument('models', nargs='+', choices=sorted(MODELS))
    logits_parser = sub.add_parser('logits')
    logits_parser.add_argument('out')
    logits_parser.add_argument('models', nargs='+', choices=sorted(MODELS))
    logits_parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.command == 'counts':
        print(json.dumps({name: counts(MODELS[name](), input_shape(name)) for name in args.models}))
    else:
        os.makedirs(args.out, exist_ok=True)
        for name in args.models:
            # Affine instance norms too (IBN-Net's), so their folding shows.
            write_reference(args.out, name, MODELS[name], input_shape(name), args.seed, BATCH_NORMS + (nn.InstanceNorm2d,))


if __name__ == '__main__':
    main()
