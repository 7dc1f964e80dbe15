// Mistaken preprocessing: every case fails with one clear message, fast, without a crash. Hostile
// image files (bombs, truncated, corrupt, not images) are in the catalogue: test/hostile/images/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { imagenetPreprocess, preprocessImageFile, type PreprocessOptions } from '../../../engine/runtime/preprocess';

const IMAGENET_INPUT: [number, number, number] = [3, 224, 224];
let folder = '';
let png: Buffer;

function noise(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  let state = 12345;
  for (let i = 0; i < pixels.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    pixels[i] = state >>> 24;
  }
  return pixels;
}

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.match(error.message, pattern);
    return true;
  });
}

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'preprocess-bad-input-'));
  png = await sharp(noise(256, 192), { raw: { width: 256, height: 192, channels: 3 } }).png().toBuffer();
});

after(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test('a resize that would make an enormous image', async () => {
  const path = write('small.png', png);
  await rejectsWith(
    preprocessImageFile(path, { ...imagenetPreprocess, resize: 20_000, centerCrop: [224, 224] }, IMAGENET_INPUT),
    /resize\(20000\) would turn the 256x192 image into 26666x20000, over the 100 MP limit/,
  );
});

test('shape mismatches name both shapes and the preprocess line to change or add', async () => {
  const path = write('landscape.png', png);
  const cases: Array<[PreprocessOptions, [number, number, number], RegExp]> = [
    [
      imagenetPreprocess,
      [3, 32, 32],
      /^Preprocessing gives 3×224×224 but the network input is 3×32×32: change `center_crop\(224\)` to `center_crop\(32\)`$/,
    ],
    [imagenetPreprocess, [1, 224, 224], /gives 3×224×224 but the network input is 1×224×224: add `grayscale`/],
    [
      { ...imagenetPreprocess, centerCrop: undefined },
      IMAGENET_INPUT,
      /gives 3×256×341 but the network input is 3×224×224: add `center_crop\(224\)` after `resize\(256\)`/,
    ],
    [
      { ...imagenetPreprocess, resize: undefined, centerCrop: undefined },
      [3, 28, 20],
      /gives 3×192×256 but the network input is 3×28×20: add `resize\(28\)` and `center_crop\(28, 20\)`/,
    ],
    [
      { ...imagenetPreprocess, resize: [100, 50], centerCrop: undefined },
      IMAGENET_INPUT,
      /gives 3×100×50 but .* 3×224×224: change `resize\(100, 50\)` to `resize\(224, 224\)` or add `center_crop\(224\)`/,
    ],
    [imagenetPreprocess, [4, 224, 224], /a 4-channel input cannot be fed from an image/],
  ];
  for (const [spec, input, pattern] of cases) {
    await rejectsWith(preprocessImageFile(path, spec, input), pattern);
  }
});

test('a spec that cannot fit fails before the image is read', async () => {
  await rejectsWith(
    preprocessImageFile(join(folder, 'does-not-exist.png'), imagenetPreprocess, [3, 32, 32]),
    /^Preprocessing gives 3×224×224 but the network input is 3×32×32/,
  );
});

test('invalid preprocess values', async () => {
  const path = write('valid.png', png);
  const cases: Array<[Partial<PreprocessOptions>, [number, number, number], RegExp]> = [
    [{ resize: 0 }, IMAGENET_INPUT, /resize needs a positive whole number \(the shorter side\) or \[height, width\], got 0/],
    [{ resize: 2.5 }, IMAGENET_INPUT, /resize needs a positive whole number .* got 2\.5/],
    [{ centerCrop: [0, 5] }, [3, 0, 5], /network input must be \[C, H, W\] of positive integers/],
    [{ centerCrop: [-1, 5] }, IMAGENET_INPUT, /center_crop needs \[height, width\] of positive whole numbers, got \[-1,5\]/],
    [{ mean: [0.5, 0.5] }, IMAGENET_INPUT, /normalize mean has 2 values but the image has 3 channels; give 1 or 3/],
    [{ std: [0.2, 0, 0.2] }, IMAGENET_INPUT, /normalize std must not be zero/],
    [{ std: [1e-50] }, IMAGENET_INPUT, /normalize std must not be zero \(in float32\)/],
    [{ mean: [Number.NaN] }, IMAGENET_INPUT, /normalize mean must be finite numbers/],
    [{ grayscale: true }, [4, 224, 224], /grayscale gives 1 or 3 channels, but the network input is 4×224×224/],
    [{ centerCrop: [100_000, 20_000] }, [3, 100_000, 20_000], /center_crop\(100000, 20000\) would make a 2000 MP image, over the 100 MP limit/],
    [{ resize: [20_000, 20_000], centerCrop: undefined }, [3, 20_000, 20_000], /resize\(20000, 20000\) would make a 400 MP image/],
  ];
  for (const [change, input, pattern] of cases) {
    await rejectsWith(preprocessImageFile(path, { ...imagenetPreprocess, ...change }, input), pattern);
  }
});
