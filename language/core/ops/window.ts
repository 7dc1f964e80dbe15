// The sliding-window size rule shared by conv and max-pool, once per spatial axis: PyTorch's formula,
// its ceil mode, and the warnings about rows it never reads.

import type { Shape } from '../model';
import { dims, type RuleProblem } from './op';

/** One value per spatial axis ([H, W] or [T, H, W]). */
export interface Window {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

/** The window along one axis. */
export interface AxisWindow {
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
}

export const axisOf = (w: Window, axis: number): AxisWindow => ({ kernel: w.kernel[axis], stride: w.stride[axis], padding: w.padding[axis], dilation: w.dilation[axis] });

/** ⌊(size + 2p − d(k − 1) − 1)/s⌋ + 1, or with ceil mode PyTorch's size (the last window starts inside the input or the left padding). */
export function windowOutput(size: number, w: AxisWindow, ceil: boolean): number {
  const span = size + 2 * w.padding - w.dilation * (w.kernel - 1) - 1;
  let n = Math.floor((ceil ? span + w.stride - 1 : span) / w.stride) + 1;
  if (ceil && (n - 1) * w.stride >= size + w.padding) n--;
  return n;
}

export function windowed(op: string, input: Shape, w: Window, ceil: boolean, problems: RuleProblem[]): Shape | undefined {
  // A copy of the input's length, sizes replaced: a shape a network keeps (no spare capacity).
  const output = input.slice();
  let collapsed = false;
  for (let axis = 0; axis < input.length - 2; axis++) {
    const n = windowOutput(input[axis + 2], axisOf(w, axis), ceil);
    output[axis + 2] = n;
    if (n < 1) collapsed = true;
  }
  if (collapsed) {
    problems.push({ kind: 'collapsed', args: [op, dims(input), output.slice(2).join('×')] });
    return undefined;
  }
  if (!ceil) {
    for (let axis = 0; axis < input.length - 2; axis++) {
      const size = input[axis + 2];
      const dropped = (size + 2 * w.padding[axis] - w.dilation[axis] * (w.kernel[axis] - 1) - 1) % w.stride[axis];
      if (size % 2 === 1 && dropped > w.padding[axis]) {
        problems.push({ kind: 'strideDrops', args: [op, size, dropped - w.padding[axis], w.stride[axis]], argument: 'stride' });
        break;
      }
    }
  }
  return output;
}
