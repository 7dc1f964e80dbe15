// Bilinear resize with antialiasing, bit-exact with Pillow 9.4's 8-bit resampling
// (src/libImaging/Resample.c: precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleHorizontal_8bpc,
// ImagingResampleVertical_8bpc, ImagingResampleInner). torchvision 0.14 resizes PIL images with it.
//
// Pillow works in two passes: horizontal first (into a temporary image holding only the rows the
// vertical pass reads), then vertical, each rounding to uint8. Both passes use fixed-point weights
// with PRECISION_BITS = 22, a rounding bias of half a unit and a clip to 0..255. Sums stay below 2^31
// (255 × 2^22 plus rounding), so int32 arithmetic (Math.imul, | 0) is exact and keeps V8 on integers.

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const BILINEAR_SUPPORT = 1.0;

/** Pixels stored row by row, channels interleaved (HWC), one byte per sample. */
export interface PixelImage {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

/** Fixed-point weights for one axis: output i reads `counts[i]` inputs starting at `starts[i]`. */
export interface AxisWeights {
  starts: Int32Array;
  counts: Int32Array;
  /** `taps` weights per output, zero beyond `counts[i]`. */
  weights: Int32Array;
  taps: number;
}

function bilinearFilter(x: number): number {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

/** Port of precompute_coeffs + normalize_coeffs_8bpc for the box [0, inSize) and the bilinear filter. */
export function bilinearWeights(inSize: number, outSize: number): AxisWeights {
  // Pillow's box is float: (in1 - in0) is a float subtraction before the double division.
  const scale = Math.fround(inSize) / outSize;
  const filterScale = scale < 1.0 ? 1.0 : scale;
  const support = BILINEAR_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const exact = new Float64Array(taps);
  const inverseScale = 1.0 / filterScale;

  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    let min = Math.trunc(center - support + 0.5);
    if (min < 0) min = 0;
    let max = Math.trunc(center + support + 0.5);
    if (max > inSize) max = inSize;
    const count = max - min;
    let sum = 0.0;
    for (let x = 0; x < count; x++) {
      const w = bilinearFilter((x + min - center + 0.5) * inverseScale);
      exact[x] = w;
      sum += w;
    }
    const base = out * taps;
    for (let x = 0; x < count; x++) {
      const normalized = sum !== 0.0 ? exact[x] / sum : exact[x];
      weights[base + x] =
        normalized < 0 ? Math.trunc(-0.5 + normalized * ONE) : Math.trunc(0.5 + normalized * ONE);
    }
    starts[out] = min;
    counts[out] = count;
  }
  return { starts, counts, weights, taps };
}

function clip8(sum: number): number {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** Horizontal pass over rows [firstRow, firstRow + rowCount) of `src`. */
function resampleRows(
  src: PixelImage,
  firstRow: number,
  rowCount: number,
  outWidth: number,
  axis: AxisWeights,
): Uint8Array {
  const { channels, pixels: input } = src;
  const { starts, counts, weights, taps } = axis;
  const inRowLength = src.width * channels;
  const outRowLength = outWidth * channels;
  const output = new Uint8Array(outRowLength * rowCount);

  if (channels === 3) {
    for (let row = 0; row < rowCount; row++) {
      const inRow = (row + firstRow) * inRowLength;
      let o = row * outRowLength;
      for (let xx = 0; xx < outWidth; xx++) {
        const count = counts[xx];
        const k = xx * taps;
        let p = inRow + starts[xx] * 3;
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < count; x++, p += 3) {
          const w = weights[k + x];
          s0 = (s0 + Math.imul(input[p], w)) | 0;
          s1 = (s1 + Math.imul(input[p + 1], w)) | 0;
          s2 = (s2 + Math.imul(input[p + 2], w)) | 0;
        }
        output[o++] = clip8(s0);
        output[o++] = clip8(s1);
        output[o++] = clip8(s2);
      }
    }
    return output;
  }

  for (let row = 0; row < rowCount; row++) {
    const inRow = (row + firstRow) * inRowLength;
    const outRow = row * outRowLength;
    for (let xx = 0; xx < outWidth; xx++) {
      const count = counts[xx];
      const k = xx * taps;
      const first = inRow + starts[xx] * channels;
      for (let c = 0; c < channels; c++) {
        let sum = HALF;
        for (let x = 0, p = first + c; x < count; x++, p += channels) {
          sum = (sum + Math.imul(input[p], weights[k + x])) | 0;
        }
        output[outRow + xx * channels + c] = clip8(sum);
      }
    }
  }
  return output;
}

/** Vertical pass: every sample of a row is independent, so accumulate whole rows tap by tap. */
function resampleColumns(src: PixelImage, outHeight: number, axis: AxisWeights, rowOffset: number): Uint8Array {
  const rowLength = src.width * src.channels;
  const input = src.pixels;
  const { starts, counts, weights, taps } = axis;
  const output = new Uint8Array(rowLength * outHeight);
  const sums = new Int32Array(rowLength);

  for (let yy = 0; yy < outHeight; yy++) {
    sums.fill(HALF);
    const count = counts[yy];
    const k = yy * taps;
    for (let y = 0; y < count; y++) {
      const w = weights[k + y];
      const inRow = (starts[yy] - rowOffset + y) * rowLength;
      for (let i = 0; i < rowLength; i++) sums[i] = (sums[i] + Math.imul(input[inRow + i], w)) | 0;
    }
    const outRow = yy * rowLength;
    for (let i = 0; i < rowLength; i++) output[outRow + i] = clip8(sums[i]);
  }
  return output;
}

/** Pillow's `Image.resize((width, height), Image.BILINEAR)` for 8-bit images of any channel count. */
export function resizeBilinear(src: PixelImage, width: number, height: number): PixelImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Cannot resize to ${width}x${height}: both sides must be positive integers`);
  }
  if (src.pixels.length !== src.width * src.height * src.channels) {
    throw new RangeError(
      `Pixel buffer holds ${src.pixels.length} bytes, expected ${src.width}x${src.height}x${src.channels}`,
    );
  }
  const needHorizontal = width !== src.width;
  const needVertical = height !== src.height;
  if (!needHorizontal && !needVertical) return { ...src, pixels: src.pixels.slice() };

  const vertical = bilinearWeights(src.height, height);
  let current = src;
  let rowOffset = 0;
  if (needHorizontal) {
    // Like Pillow, resample only the rows the vertical pass will read.
    const firstRow = vertical.starts[0];
    const lastRow = vertical.starts[height - 1] + vertical.counts[height - 1];
    const pixels = resampleRows(src, firstRow, lastRow - firstRow, width, bilinearWeights(src.width, width));
    current = { width, height: lastRow - firstRow, channels: src.channels, pixels };
    rowOffset = firstRow;
  }
  if (!needVertical) return current;
  return { width, height, channels: src.channels, pixels: resampleColumns(current, height, vertical, rowOffset) };
}
