// Decoding choices that hold without the python oracle: images made here with sharp.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage, decodeImageFile, gifTransparentColour, jpegComponents } from '../../../engine/runtime/decode';

const RED_THEN_BLUE = Buffer.from([255, 0, 0, 0, 0, 255]);

test('EXIF orientation is left unapplied, as torchvision’s PIL loader does', async () => {
  const raw = { raw: { width: 2, height: 1, channels: 3 as const } };
  const rotated = await sharp(RED_THEN_BLUE, raw).png().withMetadata({ orientation: 6 }).toBuffer();
  assert.equal((await sharp(rotated).metadata()).orientation, 6);
  const decoded = await decodeImage(rotated);
  assert.deepEqual([decoded.width, decoded.height], [2, 1]);
  assert.deepEqual([...decoded.pixels], [...RED_THEN_BLUE]);
});

test('alpha is dropped without compositing, even where fully transparent', async () => {
  const rgba = Buffer.from([10, 20, 30, 0, 200, 100, 50, 128]);
  const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
  const decoded = await decodeImage(png);
  assert.equal(decoded.channels, 3);
  assert.deepEqual([...decoded.pixels], [10, 20, 30, 200, 100, 50]);
});

test('a grayscale file decodes to one channel', async () => {
  const png = await sharp(Buffer.from([0, 77, 255]), { raw: { width: 3, height: 1, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  const decoded = await decodeImage(png);
  assert.equal(decoded.channels, 1);
  assert.deepEqual([...decoded.pixels], [0, 77, 255]);
});

test('the transparent colour of a GIF is read from its palette', () => {
  // GIF89a, 1x1, global table of 2 colours, graphic control extension with transparent index 1.
  const gif = Buffer.from([
    ...Buffer.from('GIF89a', 'latin1'), 1, 0, 1, 0, 0x80, 0, 0,
    10, 20, 30, 40, 50, 60,
    0x21, 0xf9, 4, 0x01, 0, 0, 1, 0,
    0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0,
    2, 2, 0x4c, 0x01, 0, 0x3b,
  ]);
  assert.deepEqual(gifTransparentColour(gif), [40, 50, 60]);
  // Without the transparency flag there is no transparent colour.
  const opaque = Buffer.from(gif);
  opaque[13 + 6 + 3] = 0;
  assert.equal(gifTransparentColour(opaque), null);
  assert.equal(gifTransparentColour(Buffer.from('GIF89a', 'latin1')), null);
});

test('the component count of a JPEG is read from its frame header, past other segments', async () => {
  const raw = { raw: { width: 2, height: 1, channels: 3 as const } };
  const rgb = await sharp(RED_THEN_BLUE, raw).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const progressive = await sharp(RED_THEN_BLUE, raw).jpeg({ progressive: true }).toBuffer();
  const gray = await sharp(RED_THEN_BLUE, raw).toColourspace('b-w').jpeg().toBuffer();
  const cmyk = await sharp(RED_THEN_BLUE, raw).toColourspace('cmyk').jpeg().toBuffer();
  assert.deepEqual([rgb, progressive, gray, cmyk].map(jpegComponents), [3, 3, 1, 4]);
  // Fill bytes before a marker are allowed.
  assert.equal(jpegComponents(Buffer.concat([rgb.subarray(0, 2), Buffer.from([0xff, 0xff]), rgb.subarray(2)])), 3);
  assert.equal(jpegComponents(Buffer.from(await sharp(RED_THEN_BLUE, raw).png().toBuffer())), 0);
  assert.equal(jpegComponents(rgb.subarray(0, 20)), 0);
  const decoded = await decodeImage(gray);
  assert.deepEqual([decoded.channels, decoded.width, decoded.height], [1, 2, 1]);
});

test('a file that is not a regular file is refused before reading, a FIFO without waiting for a writer', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-decode-'));
  try {
    mkdirSync(join(folder, 'photo.jpg'));
    await assert.rejects(decodeImageFile(join(folder, 'photo.jpg')), /photo\.jpg is a directory, not an image file/);
    writeFileSync(join(folder, 'empty.png'), '');
    await assert.rejects(decodeImageFile(join(folder, 'empty.png')), /empty\.png is empty \(0 bytes\), not an image/);
    await assert.rejects(decodeImageFile(join(folder, 'absent.png')), /Image file not found: .*absent\.png/);
    if (process.platform !== 'win32') {
      execFileSync('mkfifo', [join(folder, 'pipe.png')]);
      await assert.rejects(decodeImageFile(join(folder, 'pipe.png')), /pipe\.png is not a regular file/);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
