// The maximum over channels: C×H×W to 1×H×W (torch.max(x, 1)[0].unsqueeze(1), CBAM's ChannelPool).

import { attr, needsMap, type OpDefinition, type RuleProblem } from './op';

export const channel_max: OpDefinition<'channel_max'> = {
  doc: 'Maximum over the channels, kept as one channel.',
  params: [],
  hasWeights: false,
  infer(input) {
    const problems: RuleProblem[] = [];
    if (!input || !needsMap('channel_max', input, problems)) return { attrs: {}, problems };
    return { attrs: {}, output: [1, 1, input[2], input[3]], problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower: (emit, _layer, x, name) => emit.node(name, 'ReduceMax', [x], [attr.ints('axes', [1]), attr.int('keepdims', 1)]),
  torch: { functional: (x) => `torch.amax(${x}, 1, keepdim=True)` },
};
