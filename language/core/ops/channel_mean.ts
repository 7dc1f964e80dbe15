// The mean over channels: C×H×W to 1×H×W (torch.mean(x, 1, keepdim=True), CBAM's ChannelPool).

import { attr, needsMap, type OpDefinition, type RuleProblem } from './op';

export const channel_mean: OpDefinition<'channel_mean'> = {
  doc: 'Mean over the channels, kept as one channel.',
  params: [],
  hasWeights: false,
  infer(input) {
    const problems: RuleProblem[] = [];
    if (!input || !needsMap('channel_mean', input, problems)) return { attrs: {}, problems };
    return { attrs: {}, output: [1, 1, input[2], input[3]], problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower: (emit, _layer, x, name) => emit.node(name, 'ReduceMean', [x], [attr.ints('axes', [1]), attr.int('keepdims', 1)]),
  torch: { functional: (x) => `torch.mean(${x}, 1, keepdim=True)` },
};
