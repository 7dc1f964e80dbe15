// BMP, which sharp (libvips) cannot read: the pixels of Pillow 9.4's BmpImagePlugin followed by
// convert('RGB'), which is what torchvision's pil_loader gives.
// - Headers: OS/2 v1 (12 bytes, 3-byte palette entries), Windows v3 (40), OS/2 v2 (64), v4 (108), v5 (124).
// - Uncompressed 1-, 4- and 8-bit palette images, 16-bit (5-5-5, or 5-6-5 by bitfields), 24- and 32-bit
//   (alpha dropped, as convert('RGB') does). RLE, JPEG and PNG compression are refused.
// - Rows bottom-up, or top-down when the height's high byte is 0xFF (Pillow's test for a negative height).
// - The palette is read right after the header; an index past its end reads as grey (i, i, i), as in
//   Pillow. The last row needs no padding, as in Pillow.
// Every malformed file is a BmpError whose message follows the file's name ("is truncated: …").

export class BmpError extends Error {
  override name = 'BmpError';
}

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bits: number;
  /** Where the pixel rows start. */
  offset: number;
  /** 1-8 bits: RGB triples. */
  palette?: Uint8Array;
  /** 24 and 32 bits: the byte of each pixel that holds red, green and blue. */
  channelBytes?: [number, number, number];
  /** 16 bits: the red and green fields' widths (5-5-5 or 5-6-5; blue is the low 5 bits). */
  fields16?: '555' | '565';
}

const SUPPORTED = 'supported BMPs are uncompressed, with 1-, 4- or 8-bit palettes or 16-, 24- or 32-bit pixels';
const HEADER_SIZES = [12, 40, 64, 108, 124];
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG' };
const RAW = 0;
const BITFIELDS = 3;

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function truncated(what: string, needed: number, length: number): never {
  throw new BmpError(`is truncated: the file has ${length} bytes; ${what} needs ${needed}`);
}

/** The byte (0-3) a 32-bit mask selects whole, or undefined. */
function maskByte(mask: number): number | undefined {
  const byte = [0xff, 0xff00, 0xff0000, 0xff000000].indexOf(mask);
  return byte < 0 ? undefined : byte;
}

export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 18) truncated('the BMP file header', 18, bytes.length);
  const headerSize = view.getUint32(14, true);
  if (!HEADER_SIZES.includes(headerSize)) {
    throw new BmpError(`is a BMP with a ${headerSize}-byte header, not one of the known sizes (${HEADER_SIZES.join(', ')})`);
  }
  const headerEnd = 14 + headerSize;
  if (bytes.length < headerEnd) truncated(`the ${headerSize}-byte BMP header`, headerEnd, bytes.length);
  const u32 = (at: number) => view.getUint32(at, true);
  const u16 = (at: number) => view.getUint16(at, true);

  const core = headerSize === 12;
  const width = core ? u16(18) : u32(18);
  const rawHeight = core ? u16(20) : u32(22);
  const topDown = !core && bytes[25] === 0xff;
  const height = topDown ? 2 ** 32 - rawHeight : rawHeight;
  const bits = core ? u16(24) : u16(28);
  const compression = core ? RAW : u32(30);
  let colors = core ? 0 : u32(46);
  let position = headerEnd;

  if (compression !== RAW && compression !== BITFIELDS) {
    const name = COMPRESSION_NAMES[compression];
    throw new BmpError(`is a BMP with ${name ? `${name} compression` : `compression type ${compression}`}, which is not supported (${SUPPORTED})`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw new BmpError(`is a BMP with ${bits} bits per pixel (${SUPPORTED})`);

  const header: BmpHeader = { width, height, topDown, bits, offset: 0 };
  if (compression === BITFIELDS) {
    let masks: number[];
    if (headerSize >= 52) {
      masks = [u32(54), u32(58), u32(62)];
    } else {
      if (bytes.length < position + 12) truncated('the bitfield masks after the BMP header', position + 12, bytes.length);
      masks = [u32(position), u32(position + 4), u32(position + 8)];
      position += 12;
    }
    const hex = masks.map((m) => `0x${m.toString(16)}`).join(', ');
    const unsupported = () => new BmpError(`is a BMP with ${bits}-bit pixels and bitfield masks ${hex} (red, green, blue), which are not supported (${SUPPORTED})`);
    if (bits === 16) {
      const key = masks.join(',');
      if (key === '63488,2016,31') header.fields16 = '565';
      else if (key === '31744,992,31') header.fields16 = '555';
      else throw unsupported();
    } else if (bits === 24 || bits === 32) {
      const channelBytes = masks.every((m) => m === 0) ? [2, 1, 0] : masks.map(maskByte);
      if (channelBytes.some((b) => b === undefined) || new Set(channelBytes).size !== 3 || (bits === 24 && channelBytes.includes(3))) throw unsupported();
      header.channelBytes = channelBytes as [number, number, number];
    } else {
      throw unsupported();
    }
  } else if (bits === 16) {
    header.fields16 = '555';
  } else if (bits >= 24) {
    header.channelBytes = [2, 1, 0];
  }

  if (bits <= 8) {
    colors ||= 1 << bits;
    if (colors > 256) throw new BmpError(`is a BMP declaring ${colors} palette colours for ${bits}-bit pixels; a palette has at most 256`);
    // As Pillow: a palette cut short by the end of the file has fewer entries.
    const entry = core ? 3 : 4;
    const entries = Math.min(colors, Math.floor((bytes.length - position) / entry));
    const palette = new Uint8Array(entries * 3);
    for (let i = 0; i < entries; i++) {
      const at = position + i * entry;
      palette[i * 3] = bytes[at + 2]!;
      palette[i * 3 + 1] = bytes[at + 1]!;
      palette[i * 3 + 2] = bytes[at]!;
    }
    header.palette = palette;
    position = Math.min(bytes.length, position + colors * entry);
  }

  // Pillow: an offset that points at the palette is taken to mean the rows after it; 0 means "right here".
  let offset = u32(10);
  if (offset === headerEnd && bits <= 8) offset += 4 * colors;
  header.offset = offset || position;
  return header;
}

/** The RGB pixels, row by row. The caller has checked width × height against its limit. */
export function decodeBmp(bytes: Uint8Array, header: BmpHeader): { width: number; height: number; channels: 3; pixels: Uint8Array } {
  const { width, height, topDown, bits, offset } = header;
  const stride = Math.floor((width * bits + 31) / 32) * 4;
  const needed = offset + stride * (height - 1) + Math.ceil((width * bits) / 8);
  if (bytes.length < needed) truncated(`the pixel data (${width}x${height}, ${bits}-bit, from byte ${offset})`, needed, bytes.length);

  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    const out = y * width * 3;
    if (header.palette) {
      decodePaletteRow(bytes, row, bits, header.palette, pixels, out, width);
    } else if (header.fields16) {
      decode16Row(bytes, row, header.fields16, pixels, out, width);
    } else {
      const [r, g, b] = header.channelBytes!;
      const step = bits / 8;
      for (let x = 0, at = row, o = out; x < width; x++, at += step, o += 3) {
        pixels[o] = bytes[at + r]!;
        pixels[o + 1] = bytes[at + g]!;
        pixels[o + 2] = bytes[at + b]!;
      }
    }
  }
  return { width, height, channels: 3, pixels };
}

function decodePaletteRow(bytes: Uint8Array, row: number, bits: number, palette: Uint8Array, pixels: Uint8Array, out: number, width: number): void {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const colors = palette.length / 3;
  for (let x = 0, o = out; x < width; x++, o += 3) {
    // Most significant bits first.
    const shift = 8 - bits * ((x % perByte) + 1);
    const index = (bytes[row + Math.floor(x / perByte)]! >> shift) & mask;
    if (index < colors) {
      pixels[o] = palette[index * 3]!;
      pixels[o + 1] = palette[index * 3 + 1]!;
      pixels[o + 2] = palette[index * 3 + 2]!;
    } else {
      pixels[o] = pixels[o + 1] = pixels[o + 2] = index;
    }
  }
}

/** Pillow's BGR;15 and BGR;16 unpackers: each field scaled to 0-255 with a truncating division. */
function decode16Row(bytes: Uint8Array, row: number, fields: '555' | '565', pixels: Uint8Array, out: number, width: number): void {
  const greenBits = fields === '565' ? 6 : 5;
  const greenMax = (1 << greenBits) - 1;
  for (let x = 0, at = row, o = out; x < width; x++, at += 2, o += 3) {
    const value = bytes[at]! | (bytes[at + 1]! << 8);
    pixels[o] = Math.floor((((value >> (5 + greenBits)) & 31) * 255) / 31);
    pixels[o + 1] = Math.floor((((value >> 5) & greenMax) * 255) / greenMax);
    pixels[o + 2] = Math.floor(((value & 31) * 255) / 31);
  }
}
