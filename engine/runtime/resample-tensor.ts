// Bilinear resize of an 8-bit image as torchvision 0.14 resizes a uint8 tensor (a video frame):
// torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False) in float32,
// then torch.round (half to even) back to uint8. Each step is rounded to float32 as torch's CPU
// kernel computes it (aten/src/ATen/native/cpu/UpSampleKernel.cpp): per axis the source index
// scale·(i + 0.5) − 0.5 (at least 0), its floor and the weights λ1 = frac, λ0 = 1 − λ1; a pixel is
// (v00·wx0 + v01·wx1)·wy0 + (v10·wx0 + v11·wx1)·wy1.
import type { PixelImage } from './resample';

const f = Math.fround;

/** Python 3's round() and torch.round on a float: ties go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

interface AxisTaps {
  first: Int32Array;
  second: Int32Array;
  w0: Float32Array;
  w1: Float32Array;
}

function taps(input: number, output: number): AxisTaps {
  const scale = f(input / output);
  const axis: AxisTaps = { first: new Int32Array(output), second: new Int32Array(output), w0: new Float32Array(output), w1: new Float32Array(output) };
  for (let i = 0; i < output; i++) {
    const source = Math.max(f(f(scale * f(i + 0.5)) - 0.5), 0);
    const index = Math.trunc(source);
    const lambda1 = Math.min(Math.max(f(source - index), 0), 1);
    axis.first[i] = index;
    axis.second[i] = index + (index < input - 1 ? 1 : 0);
    axis.w1[i] = lambda1;
    axis.w0[i] = f(1 - lambda1);
  }
  return axis;
}

export function resizeBilinearTensor(src: PixelImage, width: number, height: number): PixelImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Cannot resize to ${width}x${height}: both sides must be positive integers`);
  }
  const { channels, pixels } = src;
  const xs = taps(src.width, width);
  const ys = taps(src.height, height);
  const out = new Uint8Array(width * height * channels);
  const at = (row: number, column: number, c: number) => pixels[(row * src.width + column) * channels + c]!;
  for (let y = 0; y < height; y++) {
    const r0 = ys.first[y]!;
    const r1 = ys.second[y]!;
    const wy0 = ys.w0[y]!;
    const wy1 = ys.w1[y]!;
    for (let x = 0; x < width; x++) {
      const c0 = xs.first[x]!;
      const c1 = xs.second[x]!;
      const wx0 = xs.w0[x]!;
      const wx1 = xs.w1[x]!;
      for (let c = 0; c < channels; c++) {
        const top = f(f(at(r0, c0, c) * wx0) + f(at(r0, c1, c) * wx1));
        const bottom = f(f(at(r1, c0, c) * wx0) + f(at(r1, c1, c) * wx1));
        const value = f(f(top * wy0) + f(bottom * wy1));
        out[(y * width + x) * channels + c] = roundHalfEven(value);
      }
    }
  }
  return { width, height, channels, pixels: out };
}
