// Generated image cases (binary, so not committed), made with sharp from one Fashion-MNIST test image
// (examples/fashion-mnist/images/0000_9.png, an ankle boot) or written byte by byte. Each entry's
// expected message is <name>.expected beside this file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Generator } from '../../unit/hostile/catalogue';

const boot = () => readFileSync(join(__dirname, '../../../examples/fashion-mnist/images/0000_9.png'));
/** The boot as 3-channel pixels at 56×56, so encoders have something to work on. */
const bootRgb = () => sharp(boot()).resize(56, 56).toColourspace('srgb').removeAlpha();

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG signature and IHDR declaring width × height, then a tiny IDAT: far from that many pixels. */
function declaredPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', Buffer.alloc(16)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Overwrites the frame size in a JPEG's SOF0 segment (FF C0, length, precision, height, width). */
function withJpegSize(file: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(file);
  const sof = copy.indexOf(Buffer.from([0xff, 0xc0]));
  if (sof < 0) throw new Error('no SOF0 segment');
  copy.writeUInt16BE(height, sof + 5);
  copy.writeUInt16BE(width, sof + 7);
  return copy;
}

/** A minimal grayscale TIFF whose IFD declares width × height, with 16 bytes of strip data. */
function declaredTiff(width: number, height: number): Buffer {
  const entries: Array<[tag: number, type: number, value: number]> = [
    [256, 4, width], // ImageWidth, LONG
    [257, 4, height], // ImageLength
    [258, 3, 8], // BitsPerSample, SHORT
    [259, 3, 1], // Compression: none
    [262, 3, 1], // PhotometricInterpretation: BlackIsZero
    [273, 4, 0], // StripOffsets: filled in below
    [277, 3, 1], // SamplesPerPixel
    [278, 4, height], // RowsPerStrip
    [279, 4, 16], // StripByteCounts
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const file = Buffer.alloc(8 + ifdSize + 16);
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  file.writeUInt32LE(8, 4);
  file.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    file.writeUInt16LE(tag, at);
    file.writeUInt16LE(type, at + 2);
    file.writeUInt32LE(1, at + 4);
    const v = tag === 273 ? 8 + ifdSize : value;
    if (type === 3) file.writeUInt16LE(v, at + 8);
    else file.writeUInt32LE(v, at + 8);
  });
  return file;
}

/** A 24-bit BMP (40-byte header) of the boot, bottom-up or top-down; `edit` patches the header. */
async function bootBmp(options: { topDown?: boolean; edit?: (file: Buffer) => void } = {}): Promise<Buffer> {
  const { data, info } = await bootRgb().raw().toBuffer({ resolveWithObject: true });
  const stride = Math.ceil((info.width * 3) / 4) * 4;
  const file = Buffer.alloc(54 + stride * info.height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(info.width, 18);
  file.writeInt32LE(options.topDown ? -info.height : info.height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  for (let y = 0; y < info.height; y++) {
    const row = 54 + (options.topDown ? y : info.height - 1 - y) * stride;
    for (let x = 0; x < info.width; x++) {
      const from = (y * info.width + x) * 3;
      file[row + x * 3] = data[from + 2]!;
      file[row + x * 3 + 1] = data[from + 1]!;
      file[row + x * 3 + 2] = data[from]!;
    }
  }
  options.edit?.(file);
  return file;
}

const jpeg = () => bootRgb().jpeg({ quality: 95 }).toBuffer();
/** The boot stretched to 56 wide, 40 high: a rotation would show in the stored size and the pixels. */
const wideJpeg = () => bootRgb().resize(56, 40, { fit: 'fill' }).jpeg({ quality: 95 }).toBuffer();
const png = () => bootRgb().png().toBuffer();
/** Two frames: the boot, then its negative (a decoder that read the second frame would say so). */
const frames = async () => [await bootRgb().png().toBuffer(), await bootRgb().negate().png().toBuffer()];

export const generated: Record<string, Generator> = {
  control: { description: 'the boot as a plain 56×56 RGB PNG (the control: it runs)', ext: '.png', make: png },
  'png-bomb': { description: 'a PNG whose header declares 100000×100000 pixels, in 73 bytes', ext: '.png', make: () => declaredPng(100_000, 100_000) },
  'jpeg-bomb': {
    description: 'a JPEG whose frame header declares 65000×65000 pixels (JPEG cannot declare 100000; 65535 is its limit)',
    ext: '.jpg',
    make: async () => withJpegSize(await jpeg(), 65_000, 65_000),
  },
  'video-file': {
    description: 'an MP4 (its ftyp box) given to a network of images: a video is a clip, for a 3-D network',
    ext: '.mp4',
    make: async () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2')]),
  },
  'tiff-bomb': { description: 'a TIFF whose header declares 100000×100000 pixels, in 138 bytes', ext: '.tif', make: () => declaredTiff(100_000, 100_000) },
  'tiff-small': { description: 'the same hand-made TIFF declaring 4×4 (the control for tiff-bomb: it runs)', ext: '.tif', make: () => declaredTiff(4, 4) },
  'jpeg-truncated': { description: 'the boot as a JPEG cut in half', ext: '.jpg', make: async () => (await jpeg()).subarray(0, Math.floor((await jpeg()).length / 2)) },
  'jpeg-extraneous-bytes': {
    description: 'a JPEG with 3 stray bytes before a marker: libjpeg warns, PIL reads it, so do we',
    ext: '.jpg',
    make: async () => {
      const file = await jpeg();
      const marker = file.indexOf(Buffer.from([0xff, 0xc4]));
      return Buffer.concat([file.subarray(0, marker), Buffer.alloc(3), file.subarray(marker)]);
    },
  },
  'png-bad-crc': {
    description: 'the control PNG with one byte of its image data flipped (the IDAT CRC fails)',
    ext: '.png',
    make: async () => {
      const file = Buffer.from(await png());
      file[file.indexOf(Buffer.from('IDAT', 'latin1')) + 14]! ^= 0xff;
      return file;
    },
  },
  'zero-bytes': { description: 'an empty file named .png', ext: '.png', make: () => Buffer.alloc(0) },
  'one-pixel': { description: 'a 1×1 grey PNG', ext: '.png', make: () => sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer() },
  cmyk: { description: 'the boot as a CMYK JPEG', ext: '.jpg', make: () => bootRgb().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer() },
  'sixteen-bit': { description: 'the boot as a 16-bit RGB PNG', ext: '.png', make: () => bootRgb().toColourspace('rgb16').png().toBuffer() },
  palette: { description: 'the boot as a palette PNG', ext: '.png', make: () => bootRgb().png({ palette: true, colours: 16 }).toBuffer() },
  'animated-gif': {
    description: 'a two-frame GIF: the boot, then its negative (the first frame is read)',
    ext: '.gif',
    make: async () => sharp(await frames(), { join: { animated: true } }).gif({ delay: [100, 100] }).toBuffer(),
  },
  'animated-webp': {
    description: 'a two-frame WebP: the boot, then its negative (the first frame is read)',
    ext: '.webp',
    make: async () => sharp(await frames(), { join: { animated: true } }).webp({ lossless: true, delay: [100, 100] }).toBuffer(),
  },
  'exif-rotated': {
    description: 'the boot as a 56×40 JPEG tagged EXIF orientation 6 (rotate 90°): not applied, as torchvision does not',
    ext: '.jpg',
    make: async () => sharp(await wideJpeg()).withExif({ IFD0: { Orientation: '6' } }).jpeg({ quality: 95 }).toBuffer(),
  },
  'bmp-control': { description: 'the boot as a 24-bit BMP (decoded by bmp.ts: the same pixels as the control)', ext: '.bmp', make: () => bootBmp() },
  'bmp-top-down': { description: 'the boot as a top-down 24-bit BMP (negative height: the same pixels as the control)', ext: '.bmp', make: () => bootBmp({ topDown: true }) },
  'bmp-truncated': { description: 'the BMP cut in half', ext: '.bmp', make: async () => (await bootBmp()).subarray(0, 54 + 56 * 28 * 3) },
  'bmp-header-truncated': { description: 'the BMP cut inside its 40-byte header', ext: '.bmp', make: async () => (await bootBmp()).subarray(0, 30) },
  'bmp-bomb': {
    description: 'a BMP whose header declares 100000×100000 pixels, in 54 bytes',
    ext: '.bmp',
    make: async () => (await bootBmp({ edit: (f) => (f.writeInt32LE(100_000, 18), f.writeInt32LE(100_000, 22)) })).subarray(0, 54),
  },
  'bmp-offset-past-end': { description: 'a BMP whose pixel data offset points 2 GB past its end', ext: '.bmp', make: () => bootBmp({ edit: (f) => f.writeUInt32LE(0x7fffffff, 10) }) },
  'bmp-rle8': { description: 'a BMP declaring RLE8 compression (not supported: a message)', ext: '.bmp', make: () => bootBmp({ edit: (f) => (f.writeUInt16LE(8, 28), f.writeUInt32LE(1, 30)) }) },
  'bmp-bad-depth': { description: 'a BMP declaring 7 bits per pixel', ext: '.bmp', make: () => bootBmp({ edit: (f) => f.writeUInt16LE(7, 28) }) },
  'bmp-header-size': { description: 'a BMP whose header size field says 4 GB', ext: '.bmp', make: () => bootBmp({ edit: (f) => f.writeUInt32LE(0xffffffff, 14) }) },
  'bmp-palette-overflow': {
    description: 'an 8-bit BMP declaring 70000 palette colours',
    ext: '.bmp',
    make: () => bootBmp({ edit: (f) => (f.writeUInt16LE(8, 28), f.writeUInt32LE(70_000, 46)) }),
  },
  'exif-rotated-control': { description: 'the same 56×40 JPEG without the orientation tag (the same pixels seen)', ext: '.jpg', make: async () => sharp(await wideJpeg()).jpeg({ quality: 95 }).toBuffer() },
};
