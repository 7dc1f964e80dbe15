// nn.InstanceNorm2d (nn.InstanceNorm3d on a clip): statistics per sample and channel, never running ones; affine weight and bias.

import { attr, bool, needsMap, num, pyCall, weightOf, type OpDefinition, type RuleProblem } from './op';

export const instancenorm: OpDefinition<'instancenorm'> = {
  doc: 'Instance normalisation (`weight`, `bias` when `affine`; no running statistics).',
  params: [num('eps', 'added to the variance', 1e-5, 0, 1), bool('affine', 'learnable per-channel weight and bias', true)],
  hasWeights: true,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { num_features: input?.[1] ?? 0, eps: a.eps as number, affine: a.affine as boolean };
    if (!input || !needsMap('instancenorm', input, problems)) return { attrs, problems };
    return { attrs, output: input, problems };
  },
  weights: (n) =>
    n.affine
      ? [
          { suffix: 'weight', shape: [n.num_features], kind: 'parameter' },
          { suffix: 'bias', shape: [n.num_features], kind: 'parameter' },
        ]
      : [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const c = layer.attrs.num_features;
    const [scale, bias] = layer.attrs.affine
      ? ['weight', 'bias'].map((suffix) => emit.weight(weightOf(layer, suffix)))
      : [emit.constant(`${name}.scale`, [c], new Float32Array(c).fill(1)), emit.constant(`${name}.shift`, [c], new Float32Array(c))];
    return emit.node(name, 'InstanceNormalization', [x, scale, bias], [attr.float('epsilon', layer.attrs.eps)]);
  },
  torch: { module: ({ attrs: n, inputShape }) => pyCall(`nn.InstanceNorm${inputShape.length - 2}d`, [n.num_features], [['eps', n.eps, 1e-5], ['affine', n.affine, false]]) },
};
