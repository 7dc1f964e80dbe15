// nn.Flatten: C×H×W to C·H·W features.

import { attr, type OpDefinition } from './op';

export const flatten: OpDefinition<'flatten'> = {
  doc: 'Flattens C×H×W to one dimension.',
  params: [],
  hasWeights: false,
  infer: (input) => ({ attrs: {}, output: input && [1, input.slice(1).reduce((x, y) => x * y, 1)], problems: [] }),
  weights: () => [],
  macs: () => 0n,
  lower: (emit, _layer, x, name) => emit.node(name, 'Flatten', [x], [attr.int('axis', 1)]),
  torch: { module: () => 'nn.Flatten()' },
};
