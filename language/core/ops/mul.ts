// Element-wise product `a * b` of a block's values (an attention gate times its map), with PyTorch's broadcasting.

import { broadcast } from './broadcast';
import type { MergeDefinition } from './op';

export const mul: MergeDefinition = {
  doc: 'Element-wise product (`a * b`), broadcasting as PyTorch does.',
  infer: broadcast,
  lower: (emit, xs, name) => xs.slice(1).reduce((product, x, i) => emit.node(i === xs.length - 2 ? name : `${name}.${i}`, 'Mul', [product, x]), xs[0]),
  torch: (xs) => xs.join(' * '),
};
