// Element-wise sum `a + b` of a block's values, with PyTorch's broadcasting.

import { broadcast } from './broadcast';
import type { MergeDefinition } from './op';

export const add: MergeDefinition = {
  doc: 'Element-wise sum (`a + b`), broadcasting as PyTorch does.',
  infer: broadcast,
  lower: (emit, xs, name) => xs.slice(1).reduce((sum, x, i) => emit.node(i === xs.length - 2 ? name : `${name}.${i}`, 'Add', [sum, x]), xs[0]),
  torch: (xs) => xs.join(' + '),
};
