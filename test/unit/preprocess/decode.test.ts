// Decoding choices that hold without the python oracle: images made here with sharp.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage, gifTransparentColour } from '../../../engine/runtime/decode';

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
