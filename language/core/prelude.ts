// The blocks that ship with the language, written in the language itself. `basic` and
// `bottleneck` are torchvision's BasicBlock and Bottleneck (models/resnet.py): same layer names,
// same defaults, same checks. A block of the same name in a user's file hides these.

export const preludeName = 'prelude.resnet';

export const preludeText = `# The ResNet Studio prelude: blocks every .resnet file can use.
# Read-only. Define a block of the same name in your file to replace one.

# torchvision.models.resnet.BasicBlock (ResNet-18/34)
block basic(planes, stride=1, groups=1, width_per_group=64, dilation=1) {
  expansion 1
  require groups == 1 and width_per_group == 64, "basic blocks only support groups=1 and width_per_group=64"
  require dilation == 1, "dilation > 1 is not supported in a basic block"
  conv1 conv(planes, kernel=3, stride=stride, padding=1)
  bn1   batchnorm
  relu
  conv2 conv(planes, kernel=3, padding=1)
  bn2   batchnorm
  + shortcut
  relu
}

# torchvision.models.resnet.Bottleneck (ResNet-50/101/152, ResNeXt, Wide ResNet):
# the stride sits on the 3x3 conv (ResNet v1.5); the width is int(planes * (width_per_group / 64.0)) * groups
block bottleneck(planes, stride=1, groups=1, width_per_group=64, dilation=1) {
  expansion 4
  width = planes * width_per_group // 64 * groups
  conv1 conv(width, kernel=1)
  bn1   batchnorm
  relu
  conv2 conv(width, kernel=3, stride=stride, padding=dilation, groups=groups, dilation=dilation)
  bn2   batchnorm
  relu
  conv3 conv(planes * expansion, kernel=1)
  bn3   batchnorm
  + shortcut
  relu
}
`;
