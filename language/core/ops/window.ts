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
  const sizes = input.slice(2);
  const out = sizes.map((size, axis) => windowOutput(size, axisOf(w, axis), ceil));
  if (out.some((n) => n < 1)) {
    problems.push({ kind: 'collapsed', args: [op, dims(input), out.join('×')] });
    return undefined;
  }
  const checked = new Set<string>();
  for (let axis = 0; axis < sizes.length; axis++) {
    const a = axisOf(w, axis);
    const size = sizes[axis];
    const key = `${size} ${a.kernel} ${a.stride} ${a.padding} ${a.dilation}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const dropped = (size + 2 * a.padding - a.dilation * (a.kernel - 1) - 1) % a.stride;
    if (!ceil && size % 2 === 1 && dropped > a.padding) {
      problems.push({ kind: 'strideDrops', args: [op, size, dropped - a.padding, a.stride], argument: 'stride' });
      break;
    }
  }
  return [input[0], input[1], ...out];
}
