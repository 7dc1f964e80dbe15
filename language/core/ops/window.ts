// The sliding-window size rule shared by conv and max-pool: PyTorch's formula, its ceil mode, and
// the warnings about rows it never reads.

import type { Shape } from '../model';
import { dims, type RuleProblem } from './op';

export interface Window {
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
}

/** ⌊(size + 2p − d(k − 1) − 1)/s⌋ + 1, or with ceil mode PyTorch's size (the last window starts inside the input or the left padding). */
export function windowOutput(size: number, w: Window, ceil: boolean): number {
  const span = size + 2 * w.padding - w.dilation * (w.kernel - 1) - 1;
  let n = Math.floor((ceil ? span + w.stride - 1 : span) / w.stride) + 1;
  if (ceil && (n - 1) * w.stride >= size + w.padding) n--;
  return n;
}

export function windowed(op: string, input: Shape, w: Window, ceil: boolean, problems: RuleProblem[]): Shape | undefined {
  const h = windowOutput(input[2], w, ceil);
  const width = windowOutput(input[3], w, ceil);
  if (h < 1 || width < 1) {
    problems.push({ kind: 'collapsed', args: [op, dims(input), `${h}×${width}`] });
    return undefined;
  }
  for (const size of new Set([input[2], input[3]])) {
    const dropped = (size + 2 * w.padding - w.dilation * (w.kernel - 1) - 1) % w.stride;
    if (!ceil && size % 2 === 1 && dropped > w.padding) {
      problems.push({ kind: 'strideDrops', args: [op, size, dropped - w.padding, w.stride], argument: 'stride' });
      break;
    }
  }
  return [input[0], input[1], h, width];
}
