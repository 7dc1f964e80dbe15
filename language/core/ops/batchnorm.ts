// nn.BatchNorm2d on a feature map, nn.BatchNorm3d on a clip: affine weight and bias, running statistics as buffers.

import { attr, needsMap, num, pyCall, weightOf, type OpDefinition, type RuleProblem } from './op';

export const batchnorm: OpDefinition<'batchnorm'> = {
  doc: 'Batch normalisation over channels, of a feature map or a clip (`weight`, `bias`, running statistics).',
  params: [num('eps', 'added to the variance', 1e-5, 0, 1)],
  hasWeights: true,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { num_features: input?.[1] ?? 0, eps: a.eps as number };
    if (!input || !needsMap('batchnorm', input, problems)) return { attrs, problems };
    return { attrs, output: input, problems };
  },
  weights: (b) => [
    { suffix: 'weight', shape: [b.num_features], kind: 'parameter' },
    { suffix: 'bias', shape: [b.num_features], kind: 'parameter' },
    { suffix: 'running_mean', shape: [b.num_features], kind: 'buffer' },
    { suffix: 'running_var', shape: [b.num_features], kind: 'buffer' },
    { suffix: 'num_batches_tracked', shape: [], kind: 'buffer', dtype: 'int64' },
  ],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const inputs = ['weight', 'bias', 'running_mean', 'running_var'].map((suffix) => emit.weight(weightOf(layer, suffix)));
    return emit.node(name, 'BatchNormalization', [x, ...inputs], [attr.float('epsilon', layer.attrs.eps)]);
  },
  torch: { module: (layer) => pyCall(`nn.BatchNorm${layer.inputShape.length - 2}d`, [layer.attrs.num_features], [['eps', layer.attrs.eps, 1e-5]]) },
};
