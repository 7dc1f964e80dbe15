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

/** A rectangle of a resized image, in its pixels: the part a center crop keeps. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

function bilinearFilter(x: number): number {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

/**
 * Port of precompute_coeffs + normalize_coeffs_8bpc for the box [0, inSize) and the bilinear filter,
 * for the outputs [first, first + count) of `outSize` (each output's weights depend on it alone).
 */
export function bilinearWeights(inSize: number, outSize: number, first = 0, count = outSize - first): AxisWeights {
  // Pillow's box is float: (in1 - in0) is a float subtraction before the double division.
  const scale = Math.fround(inSize) / outSize;
  const filterScale = scale < 1.0 ? 1.0 : scale;
  const support = BILINEAR_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(count);
  const counts = new Int32Array(count);
  const weights = new Int32Array(count * taps);
  const exact = new Float64Array(taps);
  const inverseScale = 1.0 / filterScale;

  for (let i = 0; i < count; i++) {
    const center = (first + i + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    let min = Math.trunc(center - support + 0.5);
    if (min < 0) min = 0;
    let max = Math.trunc(center + support + 0.5);
    if (max > inSize) max = inSize;
    const inputs = max - min;
    let sum = 0.0;
    for (let x = 0; x < inputs; x++) {
      const w = bilinearFilter((x + min - center + 0.5) * inverseScale);
      exact[x] = w;
      sum += w;
    }
    const base = i * taps;
    for (let x = 0; x < inputs; x++) {
      const normalized = sum !== 0.0 ? exact[x] / sum : exact[x];
      weights[base + x] =
        normalized < 0 ? Math.trunc(-0.5 + normalized * ONE) : Math.trunc(0.5 + normalized * ONE);
    }
    starts[i] = min;
    counts[i] = inputs;
  }
  return { starts, counts, weights, taps };
}

function clip8(sum: number): number {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** Horizontal pass over rows [firstRow, firstRow + rowCount) of `src`, one output column per axis entry. */
function resampleRows(src: PixelImage, firstRow: number, rowCount: number, axis: AxisWeights): Uint8Array {
  const { channels, pixels: input } = src;
  const { starts, counts, weights, taps } = axis;
  const outWidth = starts.length;
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

/** The columns [left, left + width) of rows [firstRow, firstRow + rowCount): the rows when no horizontal pass is needed. */
function copyColumns(src: PixelImage, firstRow: number, rowCount: number, left: number, width: number): Uint8Array {
  const { channels, pixels } = src;
  const inRowLength = src.width * channels;
  const outRowLength = width * channels;
  const output = new Uint8Array(outRowLength * rowCount);
  for (let row = 0; row < rowCount; row++) {
    const from = (firstRow + row) * inRowLength + left * channels;
    output.set(pixels.subarray(from, from + outRowLength), row * outRowLength);
  }
  return output;
}

/**
 * Vertical pass over `rows` (holding source rows from `rowOffset` on), one output row per axis entry:
 * every sample of a row is independent, so accumulate whole rows tap by tap.
 */
function resampleColumns(rows: Uint8Array, rowLength: number, axis: AxisWeights, rowOffset: number): Uint8Array {
  const { starts, counts, weights, taps } = axis;
  const outHeight = starts.length;
  const output = new Uint8Array(rowLength * outHeight);
  const sums = new Int32Array(rowLength);

  for (let yy = 0; yy < outHeight; yy++) {
    sums.fill(HALF);
    const count = counts[yy];
    const k = yy * taps;
    for (let y = 0; y < count; y++) {
      const w = weights[k + y];
      const inRow = (starts[yy] - rowOffset + y) * rowLength;
      for (let i = 0; i < rowLength; i++) sums[i] = (sums[i] + Math.imul(rows[inRow + i], w)) | 0;
    }
    const outRow = yy * rowLength;
    for (let i = 0; i < rowLength; i++) output[outRow + i] = clip8(sums[i]);
  }
  return output;
}

export type ResampleKernels = 'fastest' | 'portable';

/** What one resize computes: the weights of the passes it needs and the source rows it reads. */
interface ResizePlan {
  /** Absent when the width is unchanged. */
  horizontal?: AxisWeights;
  /** Absent when the height is unchanged. */
  vertical?: AxisWeights;
  region: Region;
  firstRow: number;
  rowCount: number;
}

/**
 * Pillow's `Image.resize((width, height), Image.BILINEAR)` for 8-bit images of any channel count, or
 * the `region` of its result: only the outputs a crop keeps are computed, each exactly as in the whole
 * resize. 'fastest' runs the WebAssembly SIMD kernels where the runtime has them (same arithmetic,
 * same result); 'portable' runs only the TypeScript loops.
 */
export function resizeBilinear(
  src: PixelImage,
  width: number,
  height: number,
  kernels: ResampleKernels = 'fastest',
  region: Region = { left: 0, top: 0, width, height },
): PixelImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Cannot resize to ${width}x${height}: both sides must be positive integers`);
  }
  if (src.pixels.length !== src.width * src.height * src.channels) {
    throw new RangeError(
      `Pixel buffer holds ${src.pixels.length} bytes, expected ${src.width}x${src.height}x${src.channels}`,
    );
  }
  const { left, top } = region;
  if (
    ![left, top, region.width, region.height].every(Number.isInteger) ||
    left < 0 || top < 0 || region.width < 1 || region.height < 1 ||
    left + region.width > width || top + region.height > height
  ) {
    throw new RangeError(`Region ${JSON.stringify(region)} is not inside the ${width}x${height} image`);
  }
  const horizontal = width !== src.width ? bilinearWeights(src.width, width, left, region.width) : undefined;
  const vertical = height !== src.height ? bilinearWeights(src.height, height, top, region.height) : undefined;
  // Like Pillow, the horizontal pass covers only the source rows the vertical pass reads.
  const last = region.height - 1;
  const firstRow = vertical ? vertical.starts[0]! : top;
  const rowCount = vertical ? vertical.starts[last]! + vertical.counts[last]! - firstRow : region.height;
  const plan: ResizePlan = { horizontal, vertical, region, firstRow, rowCount };
  const simd = kernels === 'fastest' ? simdKernels() : null;
  // Without a vertical pass, the SIMD path helps only with the RGB horizontal kernel.
  const useSimd = simd && (vertical || (horizontal && src.channels === 3));
  const pixels = useSimd ? resizeSimd(simd, src, plan) : resizePortable(src, plan);
  return { width: region.width, height: region.height, channels: src.channels, pixels };
}

function resizePortable(src: PixelImage, { horizontal, vertical, region, firstRow, rowCount }: ResizePlan): Uint8Array {
  const rows = horizontal
    ? resampleRows(src, firstRow, rowCount, horizontal)
    : copyColumns(src, firstRow, rowCount, region.left, region.width);
  return vertical ? resampleColumns(rows, region.width * src.channels, vertical, firstRow) : rows;
}

// ---------------------------------------------------------------------------------------------------
// WebAssembly SIMD kernels: the loops above, four 32-bit lanes at a time, with the same fixed-point sums.
// Clipping comes from the saturating narrows (i32 → i16 signed, i16 → u8 unsigned), which equal clip8
// for the shifted sums (|sum >> 22| < 640). Kernels may read up to 15 bytes past a source row and
// write up to 15 bytes past an output row (never while a later row is already written); rows are
// processed in order and the buffers carry slack, so every byte past a row is either overwritten by
// the next row or unused (which also makes stale bytes in reused memory harmless). The module is
// assembled here because the build has no WebAssembly toolchain. Both passes of a resize run in one
// instance: the horizontal pass writes the rows the vertical pass reads in place. One instance and its
// memory are kept for the resizes that fit in RETAINED_BYTES (a strip of source rows, then 0.7 KB per
// source row for a 224-wide crop: photos up to about 6,000 rows high), so a warm request neither maps
// nor faults fresh memory; a larger resize gets a fresh instance, freed with it.

const SLACK = 16;
/** Source rows copied into WebAssembly memory at a time by the horizontal pass. */
const STRIP_BYTES = 4 << 20;
/** The most memory the kept instance grows to. */
const RETAINED_BYTES = 8 << 20;
const PAGE = 65536;

interface SimdExports {
  horizontalRgb(
    src: number,
    srcStride: number,
    rows: number,
    dst: number,
    outWidth: number,
    starts: number,
    counts: number,
    weights: number,
    tapBytes: number,
  ): void;
  /** Like horizontalRgb for `rows` (a multiple of 4) rows, four rows at a time sharing each weight. */
  horizontalRgb4: SimdExports['horizontalRgb'];
  vertical(
    src: number,
    rowBytes: number,
    dst: number,
    outRows: number,
    starts: number,
    counts: number,
    weights: number,
    tapBytes: number,
  ): void;
}

let simdModule: WebAssembly.Module | null | undefined;

/** The compiled kernels, or null where the runtime lacks WebAssembly SIMD. */
export function simdKernels(): WebAssembly.Module | null {
  if (simdModule === undefined) {
    try {
      simdModule = new WebAssembly.Module(assembleKernels());
    } catch {
      simdModule = null;
    }
  }
  return simdModule;
}

interface SimdInstance {
  exports: SimdExports;
  memory: WebAssembly.Memory;
}

let retained: SimdInstance | undefined;

function instantiate(module: WebAssembly.Module, bytes: number): SimdInstance {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { exports: instance.exports as unknown as SimdExports, memory };
}

/** An instance with at least `bytes` of memory: the kept one (grown as needed) when it fits, else a fresh one. */
function simdInstance(module: WebAssembly.Module, bytes: number): SimdInstance {
  if (bytes > RETAINED_BYTES) return instantiate(module, bytes);
  retained ??= instantiate(module, bytes);
  const missing = bytes - retained.memory.buffer.byteLength;
  if (missing > 0) retained.memory.grow(Math.ceil(missing / PAGE));
  return retained;
}

/** Lays out weights, starts and counts (starts shifted by `startShift`) at `at`; returns their offsets. */
function writeAxis(heap: Uint8Array, at: number, axis: AxisWeights, startShift: number) {
  const words = new Int32Array(heap.buffer, at, axis.weights.length + 2 * axis.starts.length);
  words.set(axis.weights);
  const startsAt = axis.weights.length;
  for (let i = 0; i < axis.starts.length; i++) words[startsAt + i] = axis.starts[i] - startShift;
  words.set(axis.counts, startsAt + axis.starts.length);
  return {
    weights: at,
    starts: at + startsAt * 4,
    counts: at + (startsAt + axis.starts.length) * 4,
  };
}

function axisBytes(axis: AxisWeights | undefined): number {
  return axis ? (axis.weights.length + 2 * axis.starts.length) * 4 : 0;
}

function resizeSimd(module: WebAssembly.Module, src: PixelImage, plan: ResizePlan): Uint8Array {
  const { horizontal, vertical, region, firstRow, rowCount } = plan;
  const srcStride = src.width * src.channels;
  const rowBytes = region.width * src.channels;
  const simdRows = horizontal !== undefined && src.channels === 3;
  const stripRows = simdRows ? Math.max(1, Math.min(rowCount, Math.floor(STRIP_BYTES / srcStride))) : 0;
  // Layout: the axes (4-byte aligned for their Int32Array views), a strip of source rows, the rows the
  // vertical pass reads, its output.
  const verticalAt = axisBytes(simdRows ? horizontal : undefined);
  const stripAt = verticalAt + axisBytes(vertical);
  const rowsAt = stripAt + (simdRows ? stripRows * srcStride + SLACK : 0);
  const outAt = rowsAt + rowCount * rowBytes + SLACK;
  const outBytes = vertical ? region.height * rowBytes : 0;
  const { exports, memory } = simdInstance(module, outAt + outBytes + SLACK);
  const heap = new Uint8Array(memory.buffer);

  if (simdRows) {
    const layout = writeAxis(heap, 0, horizontal, 0);
    for (let row = 0; row < rowCount; row += stripRows) {
      const rows = Math.min(stripRows, rowCount - row);
      const from = (firstRow + row) * srcStride;
      heap.set(src.pixels.subarray(from, from + rows * srcStride), stripAt);
      const grouped = rows - (rows % 4);
      const pass = (kernel: SimdExports['horizontalRgb'], first: number, count: number) =>
        kernel(
          stripAt + first * srcStride,
          srcStride,
          count,
          rowsAt + (row + first) * rowBytes,
          region.width,
          layout.starts,
          layout.counts,
          layout.weights,
          horizontal.taps * 4,
        );
      if (grouped > 0) pass(exports.horizontalRgb4, 0, grouped);
      if (rows > grouped) pass(exports.horizontalRgb, grouped, rows - grouped);
    }
  } else {
    const rows = horizontal
      ? resampleRows(src, firstRow, rowCount, horizontal)
      : copyColumns(src, firstRow, rowCount, region.left, region.width);
    heap.set(rows, rowsAt);
  }
  if (!vertical) return heap.slice(rowsAt, rowsAt + rowCount * rowBytes);
  const layout = writeAxis(heap, verticalAt, vertical, firstRow);
  exports.vertical(rowsAt, rowBytes, outAt, region.height, layout.starts, layout.counts, layout.weights, vertical.taps * 4);
  return heap.slice(outAt, outAt + outBytes);
}

// A minimal WebAssembly encoder for the two kernels.

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const name = (text: string): number[] => vector([...text].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...unsignedLeb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const get = (local: number) => [0x20, ...unsignedLeb(local)];
const set = (local: number) => [0x21, ...unsignedLeb(local)];
const tee = (local: number) => [0x22, ...unsignedLeb(local)];
const i32 = (value: number) => [0x41, ...signedLeb(value)];
const loop = (...body: number[][]) => [0x03, 0x40, ...body.flat(), 0x0b];
const brIf = (depth: number) => [0x0d, ...unsignedLeb(depth)];
const add = [0x6a];
const sub = [0x6b];
const mul = [0x6c];
const shl = [0x74];
const lessThan = [0x49];
const load = [0x28, 2, 0];
const simd = (opcode: number, ...immediates: number[]) => [0xfd, ...unsignedLeb(opcode), ...immediates];
const v128Load = simd(0x00, 0, 0);
const v128Store = simd(0x0b, 0, 0);
/** Eight bytes widened to eight u16 lanes (v128.load8x8_u). */
const load8x8 = simd(0x02, 0, 0);
const store32Lane0 = simd(0x5a, 0, 0, 0);
const store16Lane0 = simd(0x59, 0, 0, 0);
/** Byte 2 of the vector to address + 2. */
const store8Lane2 = simd(0x58, 0, 2, 2);
const splat = simd(0x11);
const widenLow8 = simd(0x89);
const widenHigh8 = simd(0x8a);
const widenLow16 = simd(0xa9);
const widenHigh16 = simd(0xaa);
const laneAdd = simd(0xae);
const laneMul = simd(0xb5);
const laneShift = simd(0xac);
const narrowTo16 = simd(0x85);
const narrowTo8 = simd(0x66);
/** The i32 at address + index × 4 (address and index are locals). */
const element = (address: number, index: number) => [...get(address), ...get(index), ...i32(2), ...shl, ...add, ...load];
const fixedPointRound = [...i32(PRECISION_BITS), ...laneShift];

function horizontalRgbBody(): number[] {
  const [src, srcStride, rows, dst, outWidth, starts, counts, weights, tapBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [xx, p, k, kEnd, out, weightRow, sum] = [9, 10, 11, 12, 13, 14, 15];
  return [
    ...get(dst), ...set(out),
    ...loop(
      i32(0), set(xx),
      get(weights), set(weightRow),
      loop(
        get(src), element(starts, xx), i32(3), mul, add, set(p),
        get(weightRow), tee(k), element(counts, xx), i32(2), shl, add, set(kEnd),
        i32(HALF), splat, set(sum),
        // Every output reads at least one input (see bilinearWeights), so the tap loop runs at least once.
        loop(
          get(sum),
          get(p), load8x8, widenLow16,
          get(k), load, splat,
          laneMul, laneAdd, set(sum),
          get(p), i32(3), add, set(p),
          get(k), i32(4), add, tee(k), get(kEnd), lessThan, brIf(0),
        ),
        get(out),
        get(sum), fixedPointRound, tee(sum), get(sum), narrowTo16, tee(sum), get(sum), narrowTo8,
        store32Lane0,
        get(out), i32(3), add, set(out),
        get(weightRow), get(tapBytes), add, set(weightRow),
        get(xx), i32(1), add, tee(xx), get(outWidth), lessThan, brIf(0),
      ),
      get(src), get(srcStride), add, set(src),
      get(rows), i32(1), sub, tee(rows), brIf(0),
    ),
    0x0b,
  ].flat();
}

function horizontalRgb4Body(): number[] {
  const [src, srcStride, rows, dst, outWidth, starts, counts, weights, tapBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [xx, p, k, kEnd, out, weightRow, stride2, stride3, outStride, address] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const [sum0, sum1, sum2, sum3, weight] = [19, 20, 21, 22, 23];
  const sums = [sum0, sum1, sum2, sum3];
  const rowOffsets = [[], [...get(srcStride), ...add], [...get(stride2), ...add], [...get(stride3), ...add]];
  const outOffsets = [[], [...get(outStride), ...add], [...get(outStride), ...i32(2), ...mul, ...add], [...get(outStride), ...i32(3), ...mul, ...add]];
  const accumulate = (row: number) => [
    ...get(sums[row]), ...get(p), ...rowOffsets[row], ...load8x8, ...widenLow16,
    ...get(weight), ...laneMul, ...laneAdd, ...set(sums[row]),
  ];
  // Exactly three bytes: a four-byte store would clobber the first pixel of the next row, already written.
  const store = (row: number) => [
    ...get(out), ...outOffsets[row], ...set(address),
    ...get(sums[row]), ...fixedPointRound, ...tee(sums[row]), ...get(sums[row]), ...narrowTo16,
    ...tee(sums[row]), ...get(sums[row]), ...narrowTo8, ...set(sums[row]),
    ...get(address), ...get(sums[row]), ...store16Lane0,
    ...get(address), ...get(sums[row]), ...store8Lane2,
  ];
  return [
    ...get(dst), ...set(out),
    ...get(srcStride), ...i32(2), ...mul, ...set(stride2),
    ...get(srcStride), ...i32(3), ...mul, ...set(stride3),
    ...get(outWidth), ...i32(3), ...mul, ...set(outStride),
    ...loop(
      i32(0), set(xx),
      get(weights), set(weightRow),
      loop(
        get(src), element(starts, xx), i32(3), mul, add, set(p),
        get(weightRow), tee(k), element(counts, xx), i32(2), shl, add, set(kEnd),
        i32(HALF), splat, tee(sum0), tee(sum1), tee(sum2), set(sum3),
        loop(
          get(k), load, splat, set(weight),
          accumulate(0), accumulate(1), accumulate(2), accumulate(3),
          get(p), i32(3), add, set(p),
          get(k), i32(4), add, tee(k), get(kEnd), lessThan, brIf(0),
        ),
        store(0), store(1), store(2), store(3),
        get(out), i32(3), add, set(out),
        get(weightRow), get(tapBytes), add, set(weightRow),
        get(xx), i32(1), add, tee(xx), get(outWidth), lessThan, brIf(0),
      ),
      // `out` has moved one output row; skip the other three of the group.
      get(out), get(outStride), i32(3), mul, add, set(out),
      get(src), get(srcStride), i32(4), mul, add, set(src),
      get(rows), i32(4), sub, tee(rows), brIf(0),
    ),
    0x0b,
  ].flat();
}

function verticalBody(): number[] {
  const [src, rowBytes, dst, outRows, starts, counts, weights, tapBytes] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [column, p, k, kEnd, outRow, weightRow, yy] = [8, 9, 10, 11, 12, 13, 14];
  const [sum0, sum1, sum2, sum3, pixels, weight, half] = [15, 16, 17, 18, 19, 20, 21];
  const accumulate = (sum: number, widen: number[]) => [
    ...get(sum), ...get(half), ...widen, ...get(weight), ...laneMul, ...laneAdd, ...set(sum),
  ];
  return [
    ...get(dst), ...set(outRow),
    ...get(weights), ...set(weightRow),
    ...i32(0), ...set(yy),
    ...loop(
      i32(0), set(column),
      loop(
        get(src), element(starts, yy), get(rowBytes), mul, add, get(column), add, set(p),
        get(weightRow), tee(k), element(counts, yy), i32(2), shl, add, set(kEnd),
        i32(HALF), splat, tee(sum0), tee(sum1), tee(sum2), set(sum3),
        loop(
          get(p), v128Load, set(pixels),
          get(k), load, splat, set(weight),
          get(pixels), widenLow8, set(half),
          accumulate(sum0, widenLow16), accumulate(sum1, widenHigh16),
          get(pixels), widenHigh8, set(half),
          accumulate(sum2, widenLow16), accumulate(sum3, widenHigh16),
          get(p), get(rowBytes), add, set(p),
          get(k), i32(4), add, tee(k), get(kEnd), lessThan, brIf(0),
        ),
        get(outRow), get(column), add,
        get(sum0), fixedPointRound, get(sum1), fixedPointRound, narrowTo16,
        get(sum2), fixedPointRound, get(sum3), fixedPointRound, narrowTo16,
        narrowTo8,
        v128Store,
        get(column), i32(16), add, tee(column), get(rowBytes), lessThan, brIf(0),
      ),
      get(outRow), get(rowBytes), add, set(outRow),
      get(weightRow), get(tapBytes), add, set(weightRow),
      get(yy), i32(1), add, tee(yy), get(outRows), lessThan, brIf(0),
    ),
    0x0b,
  ].flat();
}

function functionCode(locals: Array<[number, number]>, body: number[]): number[] {
  const code = [...vector(locals.map(([count, type]) => [...unsignedLeb(count), type])), ...body];
  return [...unsignedLeb(code.length), ...code];
}

function assembleKernels(): Uint8Array<ArrayBuffer> {
  const params = (count: number) => [0x60, ...vector(Array.from({ length: count }, () => [I32])), 0];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([params(9), params(8)])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vector([[0], [0], [1]])),
    ...section(
      7,
      vector([
        [...name('horizontalRgb'), 0x00, 0],
        [...name('horizontalRgb4'), 0x00, 1],
        [...name('vertical'), 0x00, 2],
      ]),
    ),
    ...section(
      10,
      vector([
        functionCode([[6, I32], [1, V128]], horizontalRgbBody()),
        functionCode([[10, I32], [5, V128]], horizontalRgb4Body()),
        functionCode([[7, I32], [7, V128]], verticalBody()),
      ]),
    ),
  ]);
}
