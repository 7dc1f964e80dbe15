// PyTorch's broadcasting, shared by the element-wise merges (add, mul): shapes align at the end;
// each pair of sizes is equal or one of them is 1.

import type { Shape } from '../model';

export function broadcast(inputs: Shape[]): { output: Shape; attrs: { sizes: number[] } } | { mismatch: number } {
  const rank = Math.max(...inputs.map((s) => s.length));
  const output: number[] = [];
  for (let i = 0; i < rank; i++) {
    let size = 1;
    for (const s of inputs) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1 || d === size) continue;
      if (size !== 1) return { mismatch: i };
      size = d;
    }
    output.push(size);
  }
  return { output, attrs: { sizes: output } };
}
