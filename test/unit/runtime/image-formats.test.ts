// One list of image formats (engine/runtime/image-formats.ts): every listed format decodes, a labelled
// folder lists exactly their files, and the extension's menu, picker and the docs offer the same ones.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { listDataset } from '../../../engine/runtime/dataset';
import { decodeImage } from '../../../engine/runtime/decode';
import { CLIP_FILE_EXTENSIONS, IMAGE_EXTENSIONS, IMAGE_FORMAT_NAMES, IMAGE_FORMATS, imageGlob } from '../../../engine/runtime/image-formats';
import { repoRoot } from '../examples';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-formats-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A 2×1 BMP: 24-bit, bottom-up, one padded row. */
function tinyBmp(): Buffer {
  const file = Buffer.alloc(54 + 8);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(2, 18);
  file.writeInt32LE(1, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  file.set([30, 20, 10, 60, 50, 40], 54);
  return file;
}

async function sample(format: string): Promise<Buffer> {
  if (format === 'BMP') return tinyBmp();
  const image = sharp(Buffer.from([10, 20, 30, 40, 50, 60]), { raw: { width: 2, height: 1, channels: 3 } });
  const encoders: Record<string, () => Sharp> = {
    PNG: () => image.png(),
    JPEG: () => image.jpeg(),
    GIF: () => image.gif(),
    WebP: () => image.webp({ lossless: true }),
    TIFF: () => image.tiff(),
    AVIF: () => image.avif({ lossless: true }),
  };
  return encoders[format]!().toBuffer();
}

test('every listed format decodes', async () => {
  for (const format of IMAGE_FORMATS) {
    const image = await decodeImage(await sample(format.name), format.name);
    assert.deepEqual([image.width, image.height], [2, 1], format.name);
    if (format.name === 'BMP' || format.name === 'PNG') assert.deepEqual([...image.pixels], [10, 20, 30, 40, 50, 60]);
  }
});

test('a labelled folder lists the files of the listed formats, in any case, and nothing else', async () => {
  const flat = join(folder, 'flat');
  mkdirSync(flat);
  const names = [...IMAGE_EXTENSIONS.map((e, i) => `${i}_0${i % 2 ? e.toUpperCase() : e}`), 'x_0.ppm', 'x_0.svg', 'x_0.txt'];
  for (const name of names) writeFileSync(join(flat, name), '');
  const dataset = await listDataset(flat, 10);
  assert.ok(typeof dataset !== 'string', String(dataset));
  assert.deepEqual(dataset.samples.map((s) => s.path.slice(flat.length + 1)).sort(), names.slice(0, IMAGE_EXTENSIONS.length).sort());
});

test("the extension's explorer menu offers the listed image and clip extensions, the image picker the images", () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const when: string = manifest.contributes.menus['explorer/context'].find((m: { command: string }) => m.command === 'resnetStudio.runInferenceOnImage').when;
  const [, source, flags] = /resourceExtname =~ \/(.*)\/(\w*)$/.exec(when)!;
  const menu = new RegExp(source!, flags);
  for (const extension of [...IMAGE_EXTENSIONS, ...CLIP_FILE_EXTENSIONS]) assert.ok(menu.test(extension) && menu.test(extension.toUpperCase()), `${extension} in ${when}`);
  for (const other of ['.ppm', '.svg', '.heic', '.png.txt']) assert.ok(!menu.test(other), `${other} not in ${when}`);
  const glob = imageGlob();
  for (const extension of IMAGE_EXTENSIONS) {
    assert.ok(glob.includes(`,${extension.slice(1)},`) || glob.includes(`{${extension.slice(1)},`), `${extension} in ${glob}`);
    assert.ok(glob.includes(`,${extension.slice(1).toUpperCase()}`), `${extension.toUpperCase()} in ${glob}`);
  }
});

test('the docs name the listed formats', () => {
  for (const doc of ['README.md', 'docs/inference.md']) assert.ok(readFileSync(join(repoRoot, doc), 'utf8').includes(IMAGE_FORMAT_NAMES), `${doc} names ${IMAGE_FORMAT_NAMES}`);
});
