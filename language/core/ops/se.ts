// Squeeze-and-excitation: x · sigmoid(fc2(relu(fc1(avgpool(x))))), fc1/fc2 1×1 convs with bias (timm's SEModule keys).

import { int, maxChannels, needsImageMap, product, pyCall, weightOf, type OpDefinition, type RuleProblem } from './op';

export const se: OpDefinition<'se'> = {
  doc: 'Squeeze-and-excitation (`fc1`, `fc2` 1×1 convs with bias).',
  params: [int('reduction', 'hidden channels = channels // reduction', 16, 1, maxChannels)],
  hasWeights: true,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { channels: input?.[1] ?? 0, hidden: 0 };
    if (!input || !needsImageMap('se', input, problems)) return { attrs, problems };
    attrs.hidden = Math.floor(attrs.channels / (a.reduction as number));
    if (attrs.hidden < 1) {
      problems.push({ kind: 'channels', args: [`se reduction ${a.reduction} leaves no channels out of ${attrs.channels}.`], argument: 'reduction' });
      return { attrs, problems };
    }
    return { attrs, output: input, problems };
  },
  weights: (s) => [
    { suffix: 'fc1.weight', shape: [s.hidden, s.channels, 1, 1], kind: 'parameter' },
    { suffix: 'fc1.bias', shape: [s.hidden], kind: 'parameter' },
    { suffix: 'fc2.weight', shape: [s.channels, s.hidden, 1, 1], kind: 'parameter' },
    { suffix: 'fc2.bias', shape: [s.channels], kind: 'parameter' },
  ],
  macs: (s) => product(2, s.channels, s.hidden),
  lower(emit, layer, x, name) {
    const w = (suffix: string) => emit.weight(weightOf(layer, suffix));
    const pooled = emit.node(`${name}.avgpool`, 'GlobalAveragePool', [x]);
    const fc1 = emit.node(`${name}.fc1`, 'Conv', [pooled, w('fc1.weight'), w('fc1.bias')]);
    const relu = emit.node(`${name}.relu`, 'Relu', [fc1]);
    const fc2 = emit.node(`${name}.fc2`, 'Conv', [relu, w('fc2.weight'), w('fc2.bias')]);
    const gate = emit.node(`${name}.sigmoid`, 'Sigmoid', [fc2]);
    return emit.node(name, 'Mul', [x, gate]);
  },
  // torchvision's SqueezeExcitation is this layer: avgpool, fc1, ReLU, fc2, sigmoid, times the input.
  torch: { module: ({ attrs: s }) => pyCall('torchvision.ops.SqueezeExcitation', [s.channels, s.hidden]), imports: ['import torchvision.ops'] },
};
