// A map drawn over the image the network saw: upsampled bilinearly to the network input's size (as
// F.interpolate(align_corners=False)), scaled from its minimum (0) to its maximum (1), coloured with
// the jet colour map (blue: low, red: high) and blended over the pixels. Pure; the CLI writes the
// result as a PNG, the results view draws the heat map under an opacity slider.
import type { SeenImage } from '../../contracts/worker';

/** For each output index along one axis: the two source indices and the weight of the second. */
function axisSources(size: number, sourceSize: number): { lo: Int32Array; hi: Int32Array; t: Float32Array } {
  const lo = new Int32Array(size);
  const hi = new Int32Array(size);
  const t = new Float32Array(size);
  const scale = sourceSize / size;
  for (let i = 0; i < size; i++) {
    const s = Math.max(0, (i + 0.5) * scale - 0.5);
    lo[i] = Math.min(Math.floor(s), sourceSize - 1);
    hi[i] = Math.min(lo[i]! + 1, sourceSize - 1);
    t[i] = s - lo[i]!;
  }
  return { lo, hi, t };
}

/**
 * Frame `frame` of a [depth, size] volume resized along its first axis to `frames`: a clip's T'×H'×W'
 * class map at one of its T frames, still H'×W'. The interpolation is separable, so this followed by
 * upsample() is F.interpolate(mode='trilinear', align_corners=False) to T×H×W, at that frame.
 */
export function frameOfVolume(values: ArrayLike<number>, depth: number, size: number, frames: number, frame: number): Float32Array {
  const { lo, hi, t } = axisSources(frames, depth);
  const out = new Float32Array(size);
  const a = lo[frame]! * size;
  const b = hi[frame]! * size;
  const tb = t[frame]!;
  for (let p = 0; p < size; p++) out[p] = values[a + p]! * (1 - tb) + values[b + p]! * tb;
  return out;
}

/** `values` ([mh, mw], row-major) resized to [height, width]. */
export function upsample(values: ArrayLike<number>, mh: number, mw: number, height: number, width: number): Float32Array {
  const out = new Float32Array(height * width);
  const ys = axisSources(height, mh);
  const xs = axisSources(width, mw);
  for (let y = 0; y < height; y++) {
    const top = ys.lo[y]! * mw;
    const bottom = ys.hi[y]! * mw;
    const ty = ys.t[y]!;
    for (let x = 0; x < width; x++) {
      const l = xs.lo[x]!;
      const h = xs.hi[x]!;
      const tx = xs.t[x]!;
      const upper = values[top + l]! * (1 - tx) + values[top + h]! * tx;
      const lower = values[bottom + l]! * (1 - tx) + values[bottom + h]! * tx;
      out[y * width + x] = upper * (1 - ty) + lower * ty;
    }
  }
  return out;
}

/** Each value scaled to [0, 1] between the map's minimum and maximum (all 0 for a flat map). */
export function normalise(values: Float32Array): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < min) min = values[i]!;
    if (values[i]! > max) max = values[i]!;
  }
  const range = max - min;
  const out = new Float32Array(values.length);
  if (range > 0) for (let i = 0; i < values.length; i++) out[i] = (values[i]! - min) / range;
  return out;
}

/** The jet colour map at t ∈ [0, 1], as 0–255 RGB. */
export function jet(t: number): [number, number, number] {
  const channel = (offset: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - offset))));
  return [channel(3), channel(2), channel(1)];
}

/** jet at 256 steps: the colour of t is JET[round(255 t)]. */
const JET = Uint8Array.from({ length: 256 * 3 }, (_, i) => jet(Math.floor(i / 3) / 255)[i % 3]!);

/** The map as RGB pixels at [height, width]. */
export function heatmap(values: ArrayLike<number>, mh: number, mw: number, height: number, width: number): Uint8Array {
  const t = normalise(upsample(values, mh, mw, height, width));
  const rgb = new Uint8Array(height * width * 3);
  for (let p = 0; p < t.length; p++) {
    const entry = Math.round(t[p]! * 255) * 3;
    rgb[p * 3] = JET[entry]!;
    rgb[p * 3 + 1] = JET[entry + 1]!;
    rgb[p * 3 + 2] = JET[entry + 2]!;
  }
  return rgb;
}

/** The heat map blended over what the network saw (grayscale shown as gray), `opacity` of heat. */
export function camOverlay(values: ArrayLike<number>, mh: number, mw: number, seen: SeenImage, opacity = 0.5): SeenImage {
  const { width, height, channels } = seen;
  const heat = heatmap(values, mh, mw, height, width);
  const pixels = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const base = seen.pixels[p * channels + (channels === 1 ? 0 : c)]!;
      pixels[p * 3 + c] = Math.round(base * (1 - opacity) + heat[p * 3 + c]! * opacity);
    }
  }
  return { width, height, channels: 3, pixels };
}
