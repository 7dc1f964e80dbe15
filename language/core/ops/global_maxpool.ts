// Global max pooling: C×H×W to C×1×1 (nn.AdaptiveMaxPool2d(1), CBAM's F.max_pool2d over the whole map).

import { needsImageMap, type OpDefinition, type RuleProblem } from './op';

export const global_maxpool: OpDefinition<'global_maxpool'> = {
  doc: 'Global max pooling to C×1×1.',
  params: [],
  hasWeights: false,
  infer(input) {
    const problems: RuleProblem[] = [];
    if (!input || !needsImageMap('global_maxpool', input, problems)) return { attrs: {}, problems };
    return { attrs: {}, output: [1, input[1], 1, 1], problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower: (emit, _layer, x, name) => emit.node(name, 'GlobalMaxPool', [x]),
  torch: { module: () => 'nn.AdaptiveMaxPool2d(1)' },
};
