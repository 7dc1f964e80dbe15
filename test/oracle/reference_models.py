"""Reference torch modules for the networks the extension describes, built with torchvision's own code.

`build(name)` returns an untrained module whose state_dict keys are torchvision's, so weights written
from it load into the `.resnet` networks of the same name and the other way round.
"""

import argparse

import torch
from torch import nn
from torchvision import models
from torchvision.models.resnet import BasicBlock, ResNet

TORCHVISION_NAMES = [
    'resnet18',
    'resnet34',
    'resnet50',
    'resnet101',
    'resnet152',
    'resnext50_32x4d',
    'resnext101_32x8d',
    'resnext101_64x4d',
    'wide_resnet50_2',
    'wide_resnet101_2',
]
# torchvision's dilated backbone (DeepLabV3's): layer3 and layer4 trade their stride for dilation.
DILATED_NAMES = ['resnet50_dilated']
# torchvision.models.video: clips [N, C, T, H, W].
VIDEO_NAMES = ['r3d_18', 'mc3_18', 'r2plus1d_18']
NAMES = TORCHVISION_NAMES + ['fashion_resnet20'] + DILATED_NAMES + VIDEO_NAMES


class FashionResNet20(ResNet):
    """ResNet-20 for 1×28×28 images: a 3×3 stem without maxpool, then 3 stages of 3 BasicBlocks at 16, 32, 64.

    It reuses torchvision's `ResNet._make_layer`, which gives the downsample rule (1×1 conv + BN when
    the shape changes) and the key names; torchvision's constructor is skipped because it hard-codes
    the ImageNet stem and four stages.
    """

    def __init__(self, num_classes=10, in_channels=1):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = 16
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(in_channels, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(BasicBlock, 16, 3)
        self.layer2 = self._make_layer(BasicBlock, 32, 3, stride=2)
        self.layer3 = self._make_layer(BasicBlock, 64, 3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64 * BasicBlock.expansion, num_classes)

        # The same initialisation as torchvision's ResNet constructor.
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def _forward_impl(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


def build(name):
    """An untrained (weights=None) module for one of NAMES."""
    if name == 'fashion_resnet20':
        return FashionResNet20()
    if name in TORCHVISION_NAMES:
        return getattr(models, name)(weights=None)
    if name == 'resnet50_dilated':
        return models.resnet50(weights=None, replace_stride_with_dilation=[False, True, True])
    if name in VIDEO_NAMES:
        return getattr(models.video, name)(weights=None)
    raise ValueError(f'unknown model {name!r}; expected one of {", ".join(NAMES)}')


def input_shape(name):
    """The [N, C, H, W] (or [N, C, T, H, W]) input the network is described with (N is 1)."""
    if name == 'fashion_resnet20':
        return [1, 1, 28, 28]
    if name in VIDEO_NAMES:
        return [1, 3, 16, 112, 112]
    if name in TORCHVISION_NAMES + DILATED_NAMES:
        return [1, 3, 224, 224]
    raise ValueError(f'unknown model {name!r}; expected one of {", ".join(NAMES)}')


def main():
    parser = argparse.ArgumentParser(description="Print a reference model's state_dict keys and shapes.")
    parser.add_argument('name', choices=NAMES)
    args = parser.parse_args()
    for key, tensor in build(args.name).state_dict().items():
        print(f'{key}\t{str(tensor.dtype).removeprefix("torch.")}\t{list(tensor.shape)}')


if __name__ == '__main__':
    main()
