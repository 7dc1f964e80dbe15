// A map drawn over the image the network saw: upsampled bilinearly to the network input's size (as
// F.interpolate(align_corners=False)), scaled from its minimum (0) to its maximum (1), coloured with
// the jet colour map (blue: low, red: high) and blended over the pixels. Pure; the CLI writes the
// result as a PNG, the results view draws the heat map under an opacity slider.
import type { SeenImage } from '../../contracts/worker';

/** `values` ([mh, mw], row-major) resized to [height, width]. */
export function upsample(values: ArrayLike<number>, mh: number, mw: number, height: number, width: number): Float32Array {
  const out = new Float32Array(height * width);
  const source = (i: number, scale: number, size: number) => {
    const s = Math.max(0, (i + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(s), size - 1);
    return { lo, hi: Math.min(lo + 1, size - 1), t: s - lo };
  };
  for (let y = 0; y < height; y++) {
    const sy = source(y, mh / height, mh);
    for (let x = 0; x < width; x++) {
      const sx = source(x, mw / width, mw);
      const top = values[sy.lo * mw + sx.lo]! * (1 - sx.t) + values[sy.lo * mw + sx.hi]! * sx.t;
      const bottom = values[sy.hi * mw + sx.lo]! * (1 - sx.t) + values[sy.hi * mw + sx.hi]! * sx.t;
      out[y * width + x] = top * (1 - sy.t) + bottom * sy.t;
    }
  }
  return out;
}

/** Each value scaled to [0, 1] between the map's minimum and maximum (all 0 for a flat map). */
export function normalise(values: Float32Array): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const range = max - min;
  return values.map((v) => (range > 0 ? (v - min) / range : 0));
}

/** The jet colour map at t ∈ [0, 1], as 0–255 RGB. */
export function jet(t: number): [number, number, number] {
  const channel = (offset: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - offset))));
  return [channel(3), channel(2), channel(1)];
}

/** The map as RGB pixels at [height, width]. */
export function heatmap(values: ArrayLike<number>, mh: number, mw: number, height: number, width: number): Uint8Array {
  const t = normalise(upsample(values, mh, mw, height, width));
  const rgb = new Uint8Array(height * width * 3);
  t.forEach((v, p) => rgb.set(jet(v), p * 3));
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
