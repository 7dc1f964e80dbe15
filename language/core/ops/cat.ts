// Concatenation along the channels (torch.cat(xs, 1)): the maps must agree in every other dimension.

import type { MergeDefinition } from './op';

export const cat: MergeDefinition = {
  doc: 'Concatenates maps along the channels; their heights and widths must be equal.',
  infer(inputs) {
    const first = inputs[0];
    for (const s of inputs) {
      if (s.length !== first.length) return { mismatch: Math.min(s.length, first.length) };
      const axis = s.findIndex((d, i) => i !== 1 && d !== first[i]);
      if (axis >= 0) return { mismatch: axis };
    }
    const sizes = inputs.map((s) => s[1]);
    return { output: [first[0], sizes.reduce((a, b) => a + b, 0), ...first.slice(2)], attrs: { sizes } };
  },
  lower: (emit, xs, name) => emit.node(name, 'Concat', xs, [{ name: 'axis', int: 1 }]),
  torch: (xs) => `torch.cat([${xs.join(', ')}], 1)`,
};
