// Image decoding with sharp, producing the pixels torchvision's PIL loader
// (`Image.open(path).convert('RGB')`) would produce, as far as the decoders allow.
//
// Choices, each made to match what a torchvision-trained network saw:
// - EXIF orientation is NOT applied. torchvision's pil_loader never calls ImageOps.exif_transpose, so a
//   photo stored sideways with an orientation tag was seen sideways in training and evaluation; rotating
//   here would feed the network something torchvision never would. `seen` in the result shows the
//   stored orientation, so the user can tell.
// - Embedded ICC profiles are ignored (PIL does not colour-manage on load).
// - Alpha is dropped without compositing, as PIL's convert('RGB') does (palette transparency too: the
//   palette colour of a transparent index is kept, for GIF by reading the palette from the file).
// - CMYK JPEGs are read as raw CMYK and converted with PIL's own naive formula (no ICC transform).
// - 16-bit RGB PNGs keep the high byte of each sample, exactly as PIL's "RGB;16B" unpacker. For 16-bit
//   grayscale PNGs PIL 9.4 opens mode "I" and convert('RGB') CLIPS every value above 255 to white,
//   which destroys the image; we deliberately keep the high byte instead (the same rule as 16-bit
//   RGB), so those images differ from torchvision's by design.
// - Animated GIF/WebP: the first frame, like Image.open.
// - BMP, which sharp cannot read, is decoded by bmp.ts as Pillow does.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import sharp, { type Metadata, type OutputInfo, type SharpOptions } from 'sharp';
import { BmpError, decodeBmp, isBmp, readBmpHeader } from './bmp';
import { IMAGE_FORMAT_NAMES, IMAGE_FORMATS, VIDEO_EXTENSIONS } from './image-formats';
import type { PixelImage } from './resample';

/** Largest image decoded, in pixels (width × height as declared by the file header). */
export const MAX_INPUT_PIXELS = 100_000_000;

/** Pixels of a decoded image: 1 channel when the file is grayscale, else 3 (RGB). */
export interface DecodedImage extends PixelImage {
  channels: 1 | 3;
}

export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

const SHARP_FORMATS = new Set(IMAGE_FORMATS.flatMap((f) => (f.sharp ? [f.sharp] : [])));

function sharpOptions(): SharpOptions {
  return {
    // 'error' rejects truncated and corrupt data (libjpeg's premature end, PNG CRC failures) instead of
    // returning a partly grey image; 'warning' would also reject files that PIL reads without complaint.
    failOn: 'error',
    limitInputPixels: MAX_INPUT_PIXELS,
    ignoreIcc: true,
    autoOrient: false,
    pages: 1,
    page: 0,
  };
}

/** Reads and decodes an image file; every failure is an ImageDecodeError naming the file. */
export async function decodeImageFile(path: string): Promise<DecodedImage> {
  return decodeImage(readImageFile(path), path);
}

/**
 * The file's bytes, read synchronously: an image file is small next to its decoding, and each
 * asynchronous step (stat, open, read, close) would wait for a thread of the pool. Opened without
 * blocking, so that a FIFO is refused by the check that follows instead of waiting for a writer.
 */
function readImageFile(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new ImageDecodeError(describeFileError(path, error));
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new ImageDecodeError(`${path} is a directory, not an image file`);
    if (!info.isFile()) throw new ImageDecodeError(`${path} is not a regular file`);
    if (info.size === 0) throw new ImageDecodeError(`${path} is empty (0 bytes), not an image`);
    const bytes = Buffer.allocUnsafe(info.size);
    let length = 0;
    while (length < bytes.length) {
      const read = readSync(fd, bytes, length, bytes.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return bytes.subarray(0, length);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    throw new ImageDecodeError(describeFileError(path, error));
  } finally {
    closeSync(fd);
  }
}

function describeFileError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `Image file not found: ${path}`;
  if (code === 'EACCES' || code === 'EPERM') return `No permission to read the image file ${path}`;
  if (code === 'EISDIR') return `${path} is a directory, not an image file`;
  return `Cannot read the image file ${path}: ${(error as Error).message}`;
}

/** Decodes an encoded image held in memory. `label` names it in error messages (e.g. its path). */
export async function decodeImage(bytes: Uint8Array, label = 'the image'): Promise<DecodedImage> {
  if (bytes.length === 0) throw new ImageDecodeError(`${label} is empty (0 bytes), not an image`);
  if (isBmp(bytes)) return decodeBmpImage(bytes, label);
  const components = jpegComponents(bytes);
  if (components === 1 || components === 3) {
    const decoded = await decodeJpeg(bytes, components);
    if (decoded) return decoded;
  }

  let metadata: Metadata;
  try {
    // Reads the header only: dimensions are known before any pixel memory is allocated.
    metadata = await sharp(bytes, { ...sharpOptions(), limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ImageDecodeError(describeSharpError(label, bytes, error));
  }
  const { format, width, height } = metadata;
  if (!SHARP_FORMATS.has(format ?? '')) {
    throw new ImageDecodeError(`${label} is a ${format} file; supported image formats are ${IMAGE_FORMAT_NAMES}`);
  }
  checkSize(label, width, height);

  try {
    if (metadata.space === 'cmyk') return await decodeCmyk(bytes);
    if (metadata.space === 'b-w' || metadata.space === 'grey16') return await decodeGray(bytes);
    if (format === 'gif' && metadata.hasAlpha) {
      const colour = gifTransparentColour(bytes);
      if (colour) return await decodeTransparentGif(bytes, colour);
    }
    return await decodeRgb(bytes);
  } catch (error) {
    throw new ImageDecodeError(describeSharpError(label, bytes, error, format));
  }
}

/**
 * The number of components in a JPEG's frame header (SOFn), or 0 when `bytes` is not a JPEG or its
 * markers up to the frame header cannot be followed.
 */
export function jpegComponents(bytes: Uint8Array): number {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return 0;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return 0;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC): precision, height, width, then the component count.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return at + 9 < bytes.length ? bytes[at + 9]! : 0;
    }
    if (marker === 0xda || marker === 0xd9) return 0;
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return 0;
}

/**
 * A 1- or 3-component JPEG in one pass, without asking sharp for its header first: it loads as gray
 * or sRGB, which are what decodeGray and decodeRgb would give. Null on any failure (a corrupt file,
 * one over the pixel limit), which the general path then explains.
 */
async function decodeJpeg(bytes: Uint8Array, components: 1 | 3): Promise<DecodedImage | null> {
  try {
    const { data, info } = await sharp(bytes, sharpOptions()).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return info.channels === components ? packed(data, info, components) : null;
  } catch {
    return null;
  }
}

/** Refuses an image without a size, or one over MAX_INPUT_PIXELS, before any pixel memory is allocated. */
function checkSize(label: string, width: number | undefined, height: number | undefined): void {
  if (!width || !height) throw new ImageDecodeError(`${label} declares no image size`);
  if (width * height > MAX_INPUT_PIXELS) {
    throw new ImageDecodeError(
      `${label} declares ${width}x${height} pixels (${formatMegapixels(width * height)}), over the ` +
        `${formatMegapixels(MAX_INPUT_PIXELS)} limit; refusing to decode it (a decompression bomb or an oversized image)`,
    );
  }
}

function decodeBmpImage(bytes: Uint8Array, label: string): DecodedImage {
  try {
    const header = readBmpHeader(bytes);
    checkSize(label, header.width, header.height);
    return decodeBmp(bytes, header);
  } catch (error) {
    if (error instanceof BmpError) throw new ImageDecodeError(`${label} ${error.message}`);
    throw error;
  }
}

async function decodeRgb(bytes: Uint8Array): Promise<DecodedImage> {
  const { data, info } = await sharp(bytes, sharpOptions())
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return packed(data, info, 3);
}

/**
 * PIL reads a GIF as palette indices, so convert('RGB') turns a transparent pixel into the palette
 * colour of the transparent index; the GIF decoder in sharp gives it alpha 0 and black instead.
 */
async function decodeTransparentGif(
  bytes: Uint8Array,
  colour: [number, number, number],
): Promise<DecodedImage> {
  const { data, info } = await sharp(bytes, sharpOptions())
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`GIF decode gave ${info.channels} channels, expected 4`);
  const pixels = new Uint8Array(info.width * info.height * 3);
  for (let i = 0, p = 0; p < data.length; i += 3, p += 4) {
    const transparent = data[p + 3] === 0;
    pixels[i] = transparent ? colour[0] : data[p];
    pixels[i + 1] = transparent ? colour[1] : data[p + 1];
    pixels[i + 2] = transparent ? colour[2] : data[p + 2];
  }
  return { width: info.width, height: info.height, channels: 3, pixels };
}

/**
 * The colour of the first frame's transparent palette index, read from the GIF structure (logical
 * screen descriptor, global colour table, graphic control extension, image descriptor and its local
 * colour table); null when the first frame declares no transparency or the structure is unexpected.
 */
export function gifTransparentColour(bytes: Uint8Array): [number, number, number] | null {
  const tableBytes = (packed: number) => 3 * (1 << ((packed & 7) + 1));
  if (bytes.length < 13) return null;
  let at = 13;
  let table = -1;
  if (bytes[10] & 0x80) {
    table = at;
    at += tableBytes(bytes[10]);
  }
  let transparentIndex = -1;
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === 0x21) {
      const label = bytes[at + 1];
      // Graphic control extension: size 4, flags, delay (2), transparent index.
      if (label === 0xf9 && bytes[at + 2] === 4) transparentIndex = bytes[at + 3] & 1 ? bytes[at + 6] : -1;
      at += 2;
      while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1;
      at += 1;
    } else if (block === 0x2c) {
      const packed = bytes[at + 9];
      if (packed & 0x80) table = at + 10;
      if (transparentIndex < 0 || table < 0) return null;
      const entry = table + 3 * transparentIndex;
      if (entry + 3 > bytes.length) return null;
      return [bytes[entry], bytes[entry + 1], bytes[entry + 2]];
    } else {
      return null;
    }
  }
  return null;
}

async function decodeGray(bytes: Uint8Array): Promise<DecodedImage> {
  // Not toColourspace('b-w'): from 16-bit gray that rescales through a colour transform instead of
  // keeping the high byte.
  const { data, info } = await sharp(bytes, sharpOptions())
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return packed(data, info, 1);
}

async function decodeCmyk(bytes: Uint8Array): Promise<DecodedImage> {
  const { data, info } = await sharp(bytes, sharpOptions())
    .pipelineColourspace('cmyk')
    .toColourspace('cmyk')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels < 4) throw new Error(`CMYK decode gave ${info.channels} channels`);
  return { width: info.width, height: info.height, channels: 3, pixels: cmykToRgb(data, info.channels) };
}

function packed(data: Buffer, info: OutputInfo, channels: 1 | 3): DecodedImage {
  if (info.channels !== channels || data.length !== info.width * info.height * channels) {
    throw new Error(`decoder returned ${info.channels} channels of ${info.width}x${info.height}, expected ${channels}`);
  }
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  return { width: info.width, height: info.height, channels, pixels };
}

/** PIL's cmyk2rgb (Convert.c): r = clip(255 - k - c·(255 - k)/255) with its rounded integer division. */
export function cmykToRgb(cmyk: Uint8Array, stride = 4): Uint8Array {
  const pixelCount = Math.floor(cmyk.length / stride);
  const rgb = new Uint8Array(pixelCount * 3);
  const mulDiv255 = (a: number, b: number): number => {
    const t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  };
  for (let i = 0, p = 0, o = 0; i < pixelCount; i++, p += stride) {
    const notBlack = 255 - cmyk[p + 3];
    for (let c = 0; c < 3; c++) {
      const value = notBlack - mulDiv255(cmyk[p + c], notBlack);
      rgb[o++] = value < 0 ? 0 : value;
    }
  }
  return rgb;
}

function formatMegapixels(pixels: number): string {
  return `${Number((pixels / 1e6).toPrecision(4))} MP`;
}

function describeSharpError(label: string, bytes: Uint8Array, error: unknown, format?: string): string {
  const reason = error instanceof Error ? error.message : String(error);
  if (/unsupported image format/i.test(reason)) {
    const text = printablePrefix(bytes);
    const looksLike = text ? `; it starts with the text "${text}"` : '';
    const video = VIDEO_EXTENSIONS.includes(extname(label).toLowerCase()) ? ': a video is a clip, for a network with a C×T×H×W input' : '';
    return `${label} is not an image in a supported format (${IMAGE_FORMAT_NAMES})${video}${looksLike}`;
  }
  if (/premature end|truncated|unexpected end|short read|not enough data/i.test(reason)) {
    return `${label} is truncated: the image data ends early (${reason.trim()})`;
  }
  if (/exceeds pixel limit/i.test(reason)) {
    return `${label} is over the ${formatMegapixels(MAX_INPUT_PIXELS)} decoding limit (${reason.trim()})`;
  }
  const what = format ? `a corrupt ${format.toUpperCase()} file` : 'corrupt or unreadable';
  return `${label} is ${what}: ${reason.trim()}`;
}

/** The first bytes as text when they are printable ASCII (a text file given as an image). */
function printablePrefix(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 40);
  for (const byte of head) {
    if (byte !== 9 && byte !== 10 && byte !== 13 && (byte < 32 || byte > 126)) return '';
  }
  const text = Buffer.from(head).toString('latin1').replace(/\s+/g, ' ').trim();
  return bytes.length > head.length ? `${text}…` : text;
}
