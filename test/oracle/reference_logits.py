"""Reference logits from torch for the inference-engine tests.

For each requested model this writes into OUT:
  <name>.safetensors     seeded random weights (torchvision's init, then non-trivial BatchNorm
                         statistics and affine parameters so that BN folding mistakes show)
  <name>.io.safetensors  `input` [1, C, H, W] (seeded normal) and torch's `logits` in eval mode

Run:  /usr/bin/python3 test/oracle/reference_logits.py OUT resnet18 fashion_resnet20 ...
      /usr/bin/python3 test/oracle/reference_logits.py OUT --dtypes
`--dtypes` writes dtypes.safetensors: the same values as F16, BF16 and F32, plus torch's float32
view of the F16 and BF16 tensors, for checking the reader's conversions.

`--network-json NETWORK.json` runs an analysed Network (the JSON of language/core/model.ts's
`Network`) with torch.nn.functional, op by op, as PyTorch defines each layer: a reference for the
networks that have no torchvision counterpart (nested blocks, SE, pre-activation, depthwise convs).
It writes <network name>.safetensors and <network name>.io.safetensors like the models above.
"""

import json

import argparse
import os
import sys

import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'engine', 'torch', 'python'))
import reference_models  # noqa: E402
import safetensors_file  # noqa: E402
from seeded_weights import norm_value, save_reference, write_reference  # noqa: E402


class SEModule(nn.Module):
    """timm's SEModule keys: fc1/fc2 are 1×1 convs with bias."""

    def __init__(self, channels, reduction):
        super().__init__()
        hidden = channels // reduction
        self.fc1 = nn.Conv2d(channels, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, channels, 1)

    def forward(self, x):
        scale = F.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(scale))))


class ZeropadBasicBlock(nn.Module):
    """A basic block with the paper's option-A shortcut (subsample, zero-pad channels on both sides)."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride = stride
        self.extra = planes - inplanes

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x[:, :, :: self.stride, :: self.stride]
        if self.extra:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(out + shortcut)


class ZeropadMix(nn.Module):
    """Mirrors `zeropadMix()` in test/unit/onnx/hand-built-networks.ts."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=True)
        self.bn1 = nn.BatchNorm2d(16, eps=1e-3)
        self.act = nn.ReLU6()
        self.pool = nn.MaxPool2d(3, 2, 1, ceil_mode=True)
        self.block1 = ZeropadBasicBlock(16, 16, 1)
        self.block2 = ZeropadBasicBlock(16, 32, 2)
        self.dilated = nn.Conv2d(32, 32, 3, padding=2, dilation=2, bias=False)
        self.leaky = nn.LeakyReLU(0.1)
        self.se = SEModule(32, 4)
        self.drop = nn.Dropout(0.5)
        self.avgpool = nn.AdaptiveAvgPool2d(2)
        self.flatten = nn.Flatten(1)
        self.fc = nn.Linear(32 * 4, 7)
        self.out = nn.Sigmoid()

    def forward(self, x):
        x = self.pool(self.act(self.bn1(self.conv1(x))))
        x = self.block2(self.block1(x))
        x = self.se(self.leaky(self.dilated(x)))
        x = self.flatten(self.avgpool(self.drop(x)))
        return self.out(self.fc(x))


class CifarResNet20(nn.Module):
    """ResNet-20 for CIFAR-10 with option-A shortcuts, as examples/cifar_resnet20.resnet."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        stages = []
        inplanes = 16
        for planes, stride in [(16, 1), (32, 2), (64, 2)]:
            blocks = [ZeropadBasicBlock(inplanes, planes, stride)] + [ZeropadBasicBlock(planes, planes, 1) for _ in range(2)]
            stages.append(nn.Sequential(*blocks))
            inplanes = planes
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


EXTRA_MODELS = {
    'zeropad_mix': (ZeropadMix, [1, 3, 36, 36]),
    'cifar_resnet20': (CifarResNet20, [1, 3, 32, 32]),
}


def build(name):
    if name in EXTRA_MODELS:
        return EXTRA_MODELS[name][0]()
    return reference_models.build(name)


def input_shape(name):
    if name in EXTRA_MODELS:
        return EXTRA_MODELS[name][1]
    return reference_models.input_shape(name)


def random_state_dict(network, generator):
    """Seeded values for every WeightSpec of the network: He init for convs, non-trivial BatchNorm."""
    tensors = {}

    def visit(nodes):
        for node in nodes:
            if node['kind'] == 'layer':
                layer(node)
            elif node['kind'] == 'add':
                for inner in node['layers']:
                    layer(inner)
            else:
                visit(node['children'])

    def layer(node):
        for spec in node['weights']:
            key, shape = spec['key'], spec['shape']
            suffix = key.rsplit('.', 1)[-1]
            if node['op'] == 'batchnorm':
                tensors[key] = norm_value(suffix, shape[0] if shape else None, generator)
            elif suffix == 'bias':
                tensors[key] = (torch.rand(shape, generator=generator) * 2 - 1) * 0.1
            elif node['op'] == 'linear':
                bound = 1 / shape[1] ** 0.5
                tensors[key] = (torch.rand(shape, generator=generator) * 2 - 1) * bound
            else:
                fan_out = shape[0] * int(torch.tensor(shape[2:]).prod()) if len(shape) > 2 else shape[0]
                tensors[key] = torch.randn(shape, generator=generator) * (2 / fan_out) ** 0.5

    visit(network['children'])
    return tensors


def run_network(network, weights, x):
    """The network's forward pass in torch.nn.functional, following the Network tree."""
    w = lambda key: weights.get(key)  # noqa: E731

    def layer(node, x):
        op, name, attrs = node['op'], node['name'], node.get('attrs') or {}
        # Window sizes come per spatial axis; the rank of the input picks the 2-D or 3-D function.
        clip = x.dim() == 5
        if op == 'conv':
            conv = F.conv3d if clip else F.conv2d
            return conv(x, w(f'{name}.weight'), w(f'{name}.bias') if attrs['bias'] else None,
                        attrs['stride'], attrs['padding'], attrs['dilation'], attrs['groups'])
        if op == 'batchnorm':
            return F.batch_norm(x, w(f'{name}.running_mean'), w(f'{name}.running_var'), w(f'{name}.weight'),
                                w(f'{name}.bias'), training=False, eps=attrs['eps'])
        if op == 'relu':
            return F.relu(x)
        if op == 'relu6':
            return F.relu6(x)
        if op == 'leaky_relu':
            return F.leaky_relu(x, attrs['negative_slope'])
        if op == 'sigmoid':
            return torch.sigmoid(x)
        if op == 'maxpool':
            pool = F.max_pool3d if clip else F.max_pool2d
            return pool(x, attrs['kernel'], attrs['stride'], attrs['padding'], attrs['dilation'], attrs['ceil_mode'])
        if op == 'avgpool':
            return (F.adaptive_avg_pool3d if clip else F.adaptive_avg_pool2d)(x, attrs['output'])
        if op == 'flatten':
            return torch.flatten(x, 1)
        if op == 'dropout':
            return x
        if op == 'linear':
            return F.linear(torch.flatten(x, 1), w(f'{name}.weight'), w(f'{name}.bias') if attrs['bias'] else None)
        if op == 'se':
            scale = F.adaptive_avg_pool2d(x, 1)
            scale = F.relu(F.conv2d(scale, w(f'{name}.fc1.weight').reshape(attrs['hidden'], attrs['channels'], 1, 1), w(f'{name}.fc1.bias')))
            scale = F.conv2d(scale, w(f'{name}.fc2.weight').reshape(attrs['channels'], attrs['hidden'], 1, 1), w(f'{name}.fc2.bias'))
            return x * torch.sigmoid(scale)
        raise ValueError(f'unknown op {op}')

    def add(node, x, block_input):
        shortcut = block_input
        if node['shortcut'] == 'projection':
            for inner in node['layers']:
                shortcut = layer(inner, shortcut)
        elif node['shortcut'] == 'zeropad':
            shortcut = shortcut[(slice(None), slice(None), *(slice(None, None, s) for s in node['stride']))]
            extra = node['outputShape'][1] - shortcut.shape[1]
            shortcut = F.pad(shortcut, (0, 0, 0, 0, extra // 2, extra - extra // 2))
        return x + shortcut

    def sequence(nodes, x, block_input):
        for node in nodes:
            if node['kind'] == 'layer':
                x = layer(node, x)
            elif node['kind'] == 'add':
                x = add(node, x, block_input)
            elif node['kind'] == 'block':
                x = sequence(node['children'], x, x)
            else:
                for block in node['children']:
                    x = sequence(block['children'], x, x)
        return x

    return sequence(network['children'], x, None)


def write_network(path, out, seed):
    with open(path, encoding='utf-8') as file:
        network = json.load(file)
    generator = torch.Generator().manual_seed(seed)
    weights = random_state_dict(network, generator)
    image = torch.randn([1] + network['input'], generator=generator)
    with torch.no_grad():
        logits = run_network(network, weights, image)
    save_reference(out, network['name'], weights, image, logits)


def write_dtypes(out, seed):
    generator = torch.Generator().manual_seed(seed)
    values = torch.randn(4, 5, generator=generator) * 100
    values[0, 0] = 0.0
    values[0, 1] = -0.0
    values[0, 2] = 1e-6  # a float16 subnormal
    values[0, 3] = 70000.0  # overflows float16 to inf
    half = values.to(torch.float16)
    brain = values.to(torch.bfloat16)
    tensors = {
        'f16': half,
        'bf16': brain,
        'f32': values,
        'f16_as_f32': half.float(),
        'bf16_as_f32': brain.float(),
    }
    safetensors_file.save_file(tensors, os.path.join(out, 'dtypes.safetensors'))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out')
    known = reference_models.NAMES + list(EXTRA_MODELS)
    # Checked by hand: argparse (3.11) rejects an empty nargs='*' list when choices are given.
    parser.add_argument('models', nargs='*', help=f'any of {", ".join(known)}')
    parser.add_argument('--dtypes', action='store_true')
    parser.add_argument('--network-json', action='append', default=[], help='an analysed Network as JSON (repeatable)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=0, help='torch intra-op threads (0: torch default)')
    args = parser.parse_args()
    unknown = [name for name in args.models if name not in known]
    if unknown:
        parser.error(f'unknown model(s) {", ".join(unknown)}; expected any of {", ".join(known)}')
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    if args.dtypes:
        write_dtypes(args.out, args.seed)
    for name in args.models:
        write_reference(args.out, name, lambda: build(name), input_shape(name), args.seed)
    for path in args.network_json:
        write_network(path, args.out, args.seed)


if __name__ == '__main__':
    main()
