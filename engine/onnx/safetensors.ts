// A safetensors reader that survives hostile files: the header is validated completely (length,
// JSON, dtypes, shapes, offsets) before any tensor data is read, and data is read through a file
// handle, never more than the file holds, so a file that declares gigabytes never causes a gigabyte allocation.
import { open, type FileHandle } from 'node:fs/promises';
import { fileProblem } from './file-errors';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Dtypes whose values can be read as float32 weights. */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorEntry {
  key: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  path: string;
  fileSize: number;
  /** Where the tensor data begins in the file (data_offsets count from here). */
  dataStart: number;
  metadata: Record<string, string>;
  tensors: Map<string, TensorEntry>;
}

/** A file that is not a valid safetensors file. The message names the file and the one thing wrong. */
export class SafetensorsError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: not a valid safetensors file: ${detail}`);
    this.name = 'SafetensorsError';
  }
}

export class SafetensorsFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly header: SafetensorsHeader,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new Error(`cannot open weights file ${path}: ${fileProblem(error)}`);
    }
    try {
      const header = await readHeader(handle, path);
      return new SafetensorsFile(handle, header);
    } catch (error) {
      await handle.close();
      if (error instanceof SafetensorsError && /\.(pt|pth|ckpt|bin|tar)$/i.test(path)) {
        throw new SafetensorsError(
          path,
          `${error.detail}; this looks like a PyTorch ` +
            "checkpoint: convert it with python -c \"import torch, safetensors.torch as s; s.save_file(torch.load('IN', map_location='cpu'), 'OUT.safetensors')\"",
        );
      }
      if (error instanceof SafetensorsError && /\.onnx$/i.test(path)) {
        throw new SafetensorsError(path, `${error.detail}; this looks like an ONNX model, which runs as an exported model (infer or eval --model M.onnx, the resnetStudio.inference.model setting), not as weights`);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /** The raw little-endian bytes of one tensor. */
  async readBytes(key: string): Promise<Uint8Array> {
    const entry = this.entry(key);
    const bytes = new Uint8Array(entry.end - entry.begin);
    await this.readInto(bytes, entry.begin, key);
    return bytes;
  }

  /** One floating-point tensor converted to float32. */
  async readFloat32(key: string): Promise<Float32Array> {
    return (await this.readFloat32Many([key])).values.get(key)!;
  }

  /**
   * Several floating-point tensors as float32, read with one allocation: the bytes from the first of
   * them to the end of the last land in one buffer (on this kind of machine each fresh page costs
   * more than copying it), and each F32 tensor is a view into it; F16, BF16 and a misaligned F32
   * tensor are converted into arrays of their own.
   */
  async readFloat32Many(keys: readonly string[]): Promise<{ values: Map<string, Float32Array>; buffer: ArrayBuffer }> {
    const entries = keys.map((key) => this.entry(key));
    for (const entry of entries) {
      if (!FLOAT_DTYPES.includes(entry.dtype)) {
        throw new Error(`${entry.key}: dtype ${entry.dtype} cannot be read as float32 (expected F32, F16 or BF16)`);
      }
    }
    const values = new Map<string, Float32Array>();
    if (entries.length === 0) return { values, buffer: new ArrayBuffer(0) };
    const begin = entries.reduce((min, e) => Math.min(min, e.begin), Infinity);
    const end = entries.reduce((max, e) => Math.max(max, e.end), begin);
    // The buffer starts at a multiple of 4 from the data's start, so F32 tensors at such offsets (as writers place them) are aligned in it.
    const start = begin - ((begin - this.header.dataStart) % 4);
    const bytes = new Uint8Array(end - start);
    await this.readInto(bytes, start, `${entries.length} tensors`);
    for (const entry of entries) values.set(entry.key, toFloat32(bytes.subarray(entry.begin - start, entry.end - start), entry.dtype));
    return { values, buffer: bytes.buffer };
  }

  private async readInto(bytes: Uint8Array, position: number, what: string): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await this.handle.read(bytes, done, bytes.length - done, position + done);
      if (bytesRead === 0) throw new SafetensorsError(this.header.path, `file ended while reading ${what}`);
      done += bytesRead;
    }
  }

  private entry(key: string): TensorEntry {
    const entry = this.header.tensors.get(key);
    if (!entry) throw new Error(`${this.header.path}: no tensor named ${key}`);
    return entry;
  }
}

async function readHeader(handle: FileHandle, path: string): Promise<SafetensorsHeader> {
  const fail = (detail: string): never => {
    throw new SafetensorsError(path, detail);
  };
  const info = await handle.stat();
  if (!info.isFile()) fail(info.isDirectory() ? 'it is a directory' : 'it is not a regular file');
  const fileSize = info.size;
  if (fileSize < 8) fail(`the file has ${fileSize} bytes, fewer than the 8-byte header length`);

  const lengthBytes = Buffer.alloc(8);
  await handle.read(lengthBytes, 0, 8, 0);
  const declared = lengthBytes.readBigUInt64LE(0);
  if (declared > BigInt(fileSize - 8)) {
    fail(`the header length ${declared} runs past the end of the file (${fileSize} bytes): truncated or not safetensors`);
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) fail(`the header is ${headerLength} bytes, more than the ${MAX_HEADER_BYTES} allowed`);
  if (headerLength < 2) fail('the header is empty');

  const headerBytes = Buffer.alloc(headerLength);
  await handle.read(headerBytes, 0, headerLength, 8);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    fail(`the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('the header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorEntry>();
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ is not an object');
      for (const [name, text] of Object.entries(value as Record<string, unknown>)) {
        if (typeof text !== 'string') fail(`__metadata__.${name} is not a string`);
        metadata[name] = text as string;
      }
      continue;
    }
    tensors.set(key, parseEntry(key, value, dataStart, dataLength, fail));
  }
  checkOverlaps([...tensors.values()], dataStart, fail);
  return { path, fileSize, dataStart, metadata, tensors };
}

function parseEntry(
  key: string,
  value: unknown,
  dataStart: number,
  dataLength: number,
  fail: (detail: string) => never,
): TensorEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`entry ${key} is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE)) {
    fail(`tensor ${key} has unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(ITEM_SIZE).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor ${key} has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor ${key} has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`tensor ${key} has data_offsets [${begin}, ${end}] that end before they begin`);
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const expectedBytes = elements * ITEM_SIZE[dtype as SafetensorsDtype];
  if (!Number.isSafeInteger(expectedBytes) || end - begin !== expectedBytes) {
    fail(
      `tensor ${key} declares shape [${(shape as number[]).join(', ')}] of ${dtype} (${expectedBytes} bytes) ` +
        `but data_offsets [${begin}, ${end}] hold ${end - begin} bytes`,
    );
  }
  if (end > dataLength) {
    fail(`tensor ${key} has data_offsets [${begin}, ${end}] beyond the ${dataLength} bytes of data in the file`);
  }
  return { key, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin: dataStart + begin, end: dataStart + end };
}

function checkOverlaps(entries: TensorEntry[], dataStart: number, fail: (detail: string) => never): void {
  const sorted = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.begin < previous.end) {
      const range = (e: TensorEntry) => `[${e.begin - dataStart}, ${e.end - dataStart}]`;
      fail(`tensors ${previous.key} ${range(previous)} and ${current.key} ${range(current)} overlap`);
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian F32/F16/BF16 bytes to float32 values. */
export function toFloat32(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN) {
      // A view, not a copy: the bytes of one tensor are read into their own buffer.
      const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
      return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
    }
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Float32Array(bytes.byteLength / 2);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
    return out;
  }
  if (dtype === 'F16') {
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
    return out;
  }
  throw new Error(`dtype ${dtype} cannot be converted to float32`);
}

function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
