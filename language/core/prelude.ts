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

# torchvision.models.densenet: DenseNet.features (the stem, four dense blocks, three transitions, the last norm)
block densenet_features(growth, layers, init, bn_size=4) {
  conv0       conv(init, kernel=7, stride=2, padding=3)
  norm0       batchnorm
  relu0       relu
  pool0       maxpool(kernel=3, stride=2, padding=1)
  denseblock1 dense_block(layers[0], growth, bn_size)
  transition1 transition
  denseblock2 dense_block(layers[1], growth, bn_size)
  transition2 transition
  denseblock3 dense_block(layers[2], growth, bn_size)
  transition3 transition
  denseblock4 dense_block(layers[3], growth, bn_size)
  norm5       batchnorm
}

# _DenseBlock: layers named denselayer1 … denselayerN, each adding growth channels
block dense_block(layers, growth, bn_size) {
  denselayer* dense_layer(growth, bn_size) x layers
}

# _DenseLayer: BN-ReLU-1x1 conv, BN-ReLU-3x3 conv, its output concatenated after its input
block dense_layer(growth, bn_size) {
  norm1 batchnorm
  relu1 relu
  conv1 conv(bn_size * growth, kernel=1)
  norm2 batchnorm
  relu2 relu
  conv2 conv(growth, kernel=3, padding=1)
  out = cat(input, conv2)
}

# _Transition: halves the channels and the size
block transition {
  norm batchnorm
  relu relu
  conv conv(in_channels // 2, kernel=1)
  pool avgpool(kernel=2, stride=2)
}
`;
