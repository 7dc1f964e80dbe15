// The pure pieces of preprocessing, checked against hand-worked values from torchvision's and Pillow's
// source (runs without python; torchvision-oracle.test.ts compares the whole pipeline).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cmykToRgb } from '../../../engine/runtime/decode';
import {
  centerCrop,
  preprocessPixels,
  resizedSize,
  rgbToLuma,
} from '../../../engine/runtime/preprocess';
import { roundHalfEven } from '../../../engine/runtime/resample-tensor';
import { bilinearWeights, resizeBilinear, type PixelImage } from '../../../engine/runtime/resample';

/** A one-channel image whose pixel value is its column (or row) index. */
function ramp(width: number, height: number, along: 'x' | 'y'): PixelImage {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = along === 'x' ? x : y;
  return { width, height, channels: 1, pixels };
}

test('resize to a shorter side computes the longer one as torchvision 0.14 does (truncating)', () => {
  assert.deepEqual(resizedSize(240, 320, 256), [256, 341]);
  assert.deepEqual(resizedSize(320, 240, 256), [341, 256]);
  assert.deepEqual(resizedSize(9, 17, 256), [256, 483]);
  assert.deepEqual(resizedSize(100, 100, 7), [7, 7]);
  assert.deepEqual(resizedSize(240, 320, [100, 37]), [100, 37]);
});

test("center crop offsets round half to even, like Python's round", () => {
  assert.equal(roundHalfEven(58.5), 58);
  assert.equal(roundHalfEven(59.5), 60);
  assert.equal(roundHalfEven(0.5), 0);
  assert.equal(roundHalfEven(3), 3);
  // 320x240 → 341x256 → crop 224: x offset int(round(117 / 2.0)) = 58 (Math.round would give 59).
  const cropped = centerCrop(ramp(341, 256, 'x'), 224, 224);
  assert.equal(cropped.pixels[0], 58);
  assert.equal(cropped.pixels[223], (58 + 223) % 256); // the ramp wraps at 256
  const rows = centerCrop(ramp(20, 33, 'y'), 10, 20);
  assert.equal(rows.pixels[0], 12); // round(11.5) = 12
});

test('a crop larger than the image pads with zeros, the smaller half before', () => {
  const one = { width: 1, height: 1, channels: 1, pixels: new Uint8Array([200]) };
  const padded = centerCrop(one, 4, 5);
  // (5 - 1) // 2 = 2 columns left, (4 - 1) // 2 = 1 row above.
  const expected = new Uint8Array(20);
  expected[1 * 5 + 2] = 200;
  assert.deepEqual(padded.pixels, expected);
  // Padded in height only, cropped in width: 10x4 → 6x8 keeps columns 2..7.
  const mixed = centerCrop(ramp(10, 4, 'x'), 8, 6);
  assert.deepEqual([...mixed.pixels.subarray(0, 6)], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...mixed.pixels.subarray(2 * 6, 3 * 6)], [2, 3, 4, 5, 6, 7]);
});

test("grayscale is PIL's integer ITU-R 601-2 luma", () => {
  const rgb = { width: 4, height: 1, channels: 3, pixels: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 77, 77, 77]) };
  assert.deepEqual([...rgbToLuma(rgb).pixels], [76, 150, 29, 77]);
});

test("CMYK converts with PIL's naive formula", () => {
  // Values checked against Image.fromarray(..., 'CMYK').convert('RGB') in Pillow 9.4.
  assert.deepEqual([...cmykToRgb(new Uint8Array([156, 225, 211, 216, 0, 0, 0, 0, 255, 255, 255, 255]))], [15, 5, 7, 255, 255, 255, 0, 0, 0]);
});

test('bilinear weights are normalised to 2^22 and cover the filter support', () => {
  const down = bilinearWeights(4000, 341);
  assert.equal(down.taps, Math.ceil(4000 / 341) * 2 + 1);
  for (let i = 0; i < 341; i++) {
    let sum = 0;
    for (let k = 0; k < down.counts[i]; k++) sum += down.weights[i * down.taps + k];
    assert.ok(Math.abs(sum - (1 << 22)) <= down.counts[i], `output ${i}: weights sum to ${sum}`);
    assert.ok(down.starts[i] >= 0 && down.starts[i] + down.counts[i] <= 4000);
  }
  const up = bilinearWeights(2, 4);
  assert.deepEqual([...up.starts], [0, 0, 0, 1]);
  assert.deepEqual([...up.counts], [1, 2, 2, 1]);
});

test('the weights of a range of outputs are those outputs of the whole axis', () => {
  for (const [inSize, outSize, first, count] of [[500, 341, 58, 224], [375, 256, 16, 224], [2, 4, 1, 3], [9, 5, 0, 5]]) {
    const whole = bilinearWeights(inSize, outSize);
    const part = bilinearWeights(inSize, outSize, first, count);
    assert.equal(part.taps, whole.taps);
    assert.deepEqual(part.starts, whole.starts.slice(first, first + count));
    assert.deepEqual(part.counts, whole.counts.slice(first, first + count));
    assert.deepEqual(part.weights, whole.weights.slice(first * whole.taps, (first + count) * whole.taps));
  }
});

test('a resize too large for the kept WebAssembly memory gives what the portable loops give', () => {
  // 9 MB of source rows for the vertical pass: over what the kept instance grows to (8 MB), so a fresh
  // one runs it.
  const width = 2000;
  const height = 1500;
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.imul(i, 0x9e3779b1) >>> 24;
  const source = { width, height, channels: 3, pixels };
  const region = { left: 1, top: 0, width: 1998, height: 1 };
  const fast = resizeBilinear(source, width, 1, 'fastest', region);
  assert.deepEqual(fast, resizeBilinear(source, width, 1, 'portable', region));
  assert.throws(() => resizeBilinear(source, width, 1, 'fastest', { ...region, left: 3 }), /not inside the 2000x1 image/);
});

test('resizing keeps a flat image flat and copies when the size is unchanged', () => {
  const flat = { width: 37, height: 23, channels: 3, pixels: new Uint8Array(37 * 23 * 3).fill(173) };
  for (const [width, height] of [[5, 4], [100, 61], [37, 9], [8, 23]]) {
    const resized = resizeBilinear(flat, width, height);
    assert.equal(resized.pixels.length, width * height * 3);
    assert.ok(resized.pixels.every((value) => value === 173), `${width}x${height}`);
  }
  const same = resizeBilinear(flat, 37, 23);
  assert.deepEqual(same.pixels, flat.pixels);
  assert.notEqual(same.pixels, flat.pixels);
  assert.throws(() => resizeBilinear(flat, 0, 3), /both sides must be positive integers/);
});

test('upscaling a two-pixel ramp interpolates like Pillow', () => {
  // Pillow: Image.fromarray(np.array([[0, 200]], np.uint8)).resize((4, 1), Image.BILINEAR) → [0, 50, 150, 200]
  const resized = resizeBilinear({ width: 2, height: 1, channels: 1, pixels: new Uint8Array([0, 200]) }, 4, 1);
  assert.deepEqual([...resized.pixels], [0, 50, 150, 200]);
});

test('the tensor is CHW float32 in torch arithmetic, and grayscale to 3 channels replicates', () => {
  const image = { width: 2, height: 1, channels: 3, pixels: new Uint8Array([255, 0, 0, 0, 0, 255]) };
  const result = preprocessPixels(
    image,
    { grayscale: true, mean: [0.5], std: [0.25] },
    [3, 1, 2],
  );
  assert.deepEqual(result.dims, [1, 3, 1, 2]);
  assert.deepEqual([...result.seen.pixels], [76, 76, 76, 29, 29, 29]);
  const value = (v: number) => Math.fround(Math.fround(Math.fround(v / 255) - Math.fround(0.5)) / Math.fround(0.25));
  assert.deepEqual([...result.data], [value(76), value(29), value(76), value(29), value(76), value(29)]);
});
