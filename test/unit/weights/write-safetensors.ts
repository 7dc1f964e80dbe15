// Writes safetensors files for tests, including deliberately broken ones: the header is given as
// JSON text or an object, and the data bytes are whatever the test says.
import { writeFileSync } from 'node:fs';

export function safetensorsBytes(header: unknown, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(declaredLength ?? BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

export function writeSafetensors(path: string, header: unknown, data?: Uint8Array, declaredLength?: bigint): string {
  writeFileSync(path, safetensorsBytes(header, data, declaredLength));
  return path;
}

/** A well-formed file of F32 tensors. */
export function writeF32Tensors(path: string, tensors: Record<string, { shape: number[]; values: Float32Array }>): string {
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [key, { shape, values }] of Object.entries(tensors)) {
    header[key] = { dtype: 'F32', shape, data_offsets: [offset, offset + values.byteLength] };
    chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    offset += values.byteLength;
  }
  return writeSafetensors(path, header, Buffer.concat(chunks));
}
