// Hostile and mistaken input: every case fails with one clear message, fast, without a crash.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import {
  imagenetPreprocess,
  preprocessImage,
  preprocessImageFile,
  type PreprocessOptions,
} from '../../../language/runtime/preprocess';

const IMAGENET_INPUT: [number, number, number] = [3, 224, 224];
let folder = '';
let jpeg: Buffer;
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

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG header declaring width × height, followed by a tiny IDAT: nothing close to that many pixels. */
function declaredPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', Buffer.alloc(16)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Position of a PNG chunk's data. */
function chunkData(file: Buffer, type: string): number {
  const at = file.indexOf(Buffer.from(type, 'latin1'));
  assert.ok(at > 0, `no ${type} chunk`);
  return at + 4;
}

/** Overwrites the frame size in a JPEG's SOF0 segment (FF C0, length, precision, height, width). */
function withJpegSize(file: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(file);
  const sof = copy.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(sof > 0, 'no SOF0 segment');
  copy.writeUInt16BE(height, sof + 5);
  copy.writeUInt16BE(width, sof + 7);
  return copy;
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
  const raw = { raw: { width: 256, height: 192, channels: 3 as const } };
  jpeg = await sharp(noise(256, 192), raw).jpeg({ quality: 90 }).toBuffer();
  png = await sharp(noise(256, 192), raw).png().toBuffer();
});

after(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test('a missing file', async () => {
  await rejectsWith(
    preprocessImageFile(join(folder, 'missing.png'), imagenetPreprocess, IMAGENET_INPUT),
    /^Image file not found: .*missing\.png$/,
  );
});

test('a directory', async () => {
  const path = join(folder, 'photos.png');
  mkdirSync(path);
  await rejectsWith(preprocessImageFile(path, imagenetPreprocess, IMAGENET_INPUT), /photos\.png is a directory, not an image file/);
});

test('an empty file and an empty buffer', async () => {
  await rejectsWith(
    preprocessImageFile(write('empty.png', ''), imagenetPreprocess, IMAGENET_INPUT),
    /empty\.png is empty \(0 bytes\), not an image/,
  );
  await rejectsWith(preprocessImage(new Uint8Array(0), imagenetPreprocess, IMAGENET_INPUT), /is empty \(0 bytes\)/);
});

test('a text file named .png', async () => {
  const path = write('notes.png', 'some notes\nsecond line\n');
  await rejectsWith(
    preprocessImageFile(path, imagenetPreprocess, IMAGENET_INPUT),
    /notes\.png is not an image in a supported format \(PNG, JPEG, .*\); it starts with the text "some notes second line"$/,
  );
});

test('a truncated JPEG is an error, not a partly grey image', async () => {
  const path = write('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await rejectsWith(preprocessImageFile(path, imagenetPreprocess, IMAGENET_INPUT), /truncated\.jpg is truncated/);
});

test('a JPEG with extraneous bytes before a marker still decodes, as PIL reads it', async () => {
  // libjpeg only warns here; refusing it would reject files torchvision accepts.
  const marker = jpeg.indexOf(Buffer.from([0xff, 0xc4]));
  assert.ok(marker > 0, 'no DHT segment');
  const damaged = Buffer.concat([jpeg.subarray(0, marker), Buffer.alloc(3), jpeg.subarray(marker)]);
  const result = await preprocessImage(damaged, imagenetPreprocess, IMAGENET_INPUT);
  assert.deepEqual(result.original, { width: 256, height: 192 });
  assert.deepEqual(result.dims, [1, 3, 224, 224]);
});

test('a PNG whose image data fails its CRC', async () => {
  const corrupt = Buffer.from(png);
  corrupt[chunkData(corrupt, 'IDAT') + 10] ^= 0xff;
  const path = write('crc.png', corrupt);
  await rejectsWith(preprocessImageFile(path, imagenetPreprocess, IMAGENET_INPUT), /crc\.png is a corrupt PNG file/);
});

test('a declared 100000x100000 PNG is refused from its header', async () => {
  const path = write('bomb.png', declaredPng(100_000, 100_000));
  await rejectsWith(
    preprocessImageFile(path, imagenetPreprocess, IMAGENET_INPUT),
    /bomb\.png declares 100000x100000 pixels \(10000 MP\), over the 100 MP limit; refusing to decode it/,
  );
});

test('a JPEG whose header declares 65000x65000 is refused from its header', async () => {
  await rejectsWith(
    preprocessImage(withJpegSize(jpeg, 65_000, 65_000), imagenetPreprocess, IMAGENET_INPUT),
    /declares 65000x65000 pixels \(4225 MP\), over the 100 MP limit/,
  );
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
      /^Preprocessing gives 3x224x224 but the network input is 3x32x32: change `center_crop\(224\)` to `center_crop\(32\)`$/,
    ],
    [imagenetPreprocess, [1, 224, 224], /gives 3x224x224 but the network input is 1x224x224: add `grayscale`/],
    [
      { ...imagenetPreprocess, centerCrop: undefined },
      IMAGENET_INPUT,
      /gives 3x256x341 but the network input is 3x224x224: add `center_crop\(224\)` after `resize\(256\)`/,
    ],
    [
      { ...imagenetPreprocess, resize: undefined, centerCrop: undefined },
      [3, 28, 20],
      /gives 3x192x256 but the network input is 3x28x20: add `resize\(28\)` and `center_crop\(28, 20\)`/,
    ],
    [
      { ...imagenetPreprocess, resize: [100, 50], centerCrop: undefined },
      IMAGENET_INPUT,
      /gives 3x100x50 but .* 3x224x224: change `resize\(100, 50\)` to `resize\(224, 224\)` or add `center_crop\(224\)`/,
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
    /^Preprocessing gives 3x224x224 but the network input is 3x32x32/,
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
    [{ grayscale: true }, [4, 224, 224], /grayscale gives 1 or 3 channels, but the network input is 4x224x224/],
    [{ centerCrop: [100_000, 20_000] }, [3, 100_000, 20_000], /center_crop\(100000, 20000\) would make a 2000 MP image, over the 100 MP limit/],
    [{ resize: [20_000, 20_000], centerCrop: undefined }, [3, 20_000, 20_000], /resize\(20000, 20000\) would make a 400 MP image/],
  ];
  for (const [change, input, pattern] of cases) {
    await rejectsWith(preprocessImageFile(path, { ...imagenetPreprocess, ...change }, input), pattern);
  }
});
