// Mutation fuzzing of the safetensors reader: small valid files with their length field, header
// bytes, numbers (offsets, shape sizes), dtypes and length mutated, truncated or extended. The reader
// must return the tensors or one clear SafetensorsError: never throw anything else, hang, or
// allocate more than the file holds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { safetensorsBytes } from '../weights/write-safetensors';
import { fuzz, fuzzSeconds, type FuzzRun } from './fuzz';
import { readAll } from './read-weights';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-fuzz-safetensors-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const bytesOf = (array: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const seeds: Buffer[] = [
  safetensorsBytes(
    { 'fc.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, 'fc.bias': { dtype: 'F32', shape: [2], data_offsets: [16, 24] } },
    bytesOf(new Float32Array([0.5, -0.5, 0.25, 1, 0.1, -0.1])),
  ),
  safetensorsBytes(
    {
      __metadata__: { format: 'pt' },
      half: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      brain: { dtype: 'BF16', shape: [1, 3], data_offsets: [6, 12] },
      count: { dtype: 'I64', shape: [], data_offsets: [12, 20] },
      empty: { dtype: 'F32', shape: [0, 4], data_offsets: [20, 20] },
      flags: { dtype: 'BOOL', shape: [4], data_offsets: [20, 24] },
    },
    new Uint8Array(24).fill(0x3c),
  ),
  safetensorsBytes({}),
];
const dtypes = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'F8_E4M3', 'f32', '', 'F32 ', '"', '\u0000'];
const numbers = ['0', '-1', '1', '3', '7', '24', '25', '4294967296', '9007199254740993', '1e308', '1e999', '0.5', '-0', 'null', '[]', '"8"', '{}'];

function mutate(run: FuzzRun, input: Buffer): Buffer {
  let bytes = Buffer.from(input);
  const headerLength = () => Number(bytes.length >= 8 ? bytes.readBigUInt64LE(0) & 0xffffn : 0n);
  for (let m = 1 + run.below(3); m > 0; m--) {
    const kind = run.below(8);
    if (kind === 0 && bytes.length >= 8) {
      // The length field: a small change, an edge value or anything.
      const choices = [BigInt(headerLength() + run.below(9) - 4), 0n, 1n, BigInt(bytes.length), (1n << 63n) + BigInt(run.below(1000)), BigInt(Math.floor(run.random() * 2 ** 53))];
      bytes.writeBigUInt64LE(BigInt.asUintN(64, run.pick(choices)), 0);
    } else if (kind === 1 || kind === 2) {
      // A number in the header (an offset or a shape size) replaced.
      const text = bytes.toString('latin1');
      const found = [...text.matchAll(/-?\d+/g)].filter((x) => x.index! >= 8);
      if (found.length === 0) continue;
      const hit = run.pick(found);
      bytes = Buffer.from(text.slice(0, hit.index) + run.pick(numbers) + text.slice(hit.index! + hit[0].length), 'latin1');
      if (run.random() < 0.7) bytes.writeBigUInt64LE(BigInt(Math.max(0, headerLength() + (bytes.length - input.length))), 0);
    } else if (kind === 3) {
      const text = bytes.toString('latin1');
      const found = [...text.matchAll(/"(F64|F32|F16|BF16|I64|I32|I16|I8|U8|BOOL)"/g)];
      if (found.length === 0) continue;
      const hit = run.pick(found);
      const replacement = JSON.stringify(run.pick(dtypes));
      bytes = Buffer.from(text.slice(0, hit.index) + replacement + text.slice(hit.index! + hit[0].length), 'latin1');
      bytes.writeBigUInt64LE(BigInt(Math.max(0, headerLength() + replacement.length - hit[0].length)), 0);
    } else if (kind === 4) {
      bytes = bytes.subarray(0, run.below(bytes.length + 1));
    } else if (kind === 5 && bytes.length > 0) {
      bytes[run.below(bytes.length)] = run.below(256);
    } else if (kind === 6) {
      const at = run.below(bytes.length + 1);
      const piece = Buffer.from(run.pick(['{', '}', '[', ']', ',', '"', ':', '\\', '"__proto__":{}', '"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}', '\u00ff']), 'latin1');
      bytes = Buffer.concat([bytes.subarray(0, at), piece, bytes.subarray(at)]);
    } else {
      bytes = Buffer.concat([bytes, Buffer.alloc(run.below(64), run.below(256))]);
    }
  }
  return bytes;
}

test('mutation fuzzing of the safetensors reader', { timeout: (fuzzSeconds() + 60) * 1000 }, async () => {
  const path = join(folder, 'fuzz.safetensors');
  await fuzz('safetensors', async (run) => {
    const bytes = mutate(run, run.pick(seeds));
    writeFileSync(path, bytes);
    const before = process.memoryUsage().arrayBuffers;
    let outcome: string;
    try {
      outcome = await readAll(path);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- input (base64) ---\n${bytes.toString('base64')}`);
    }
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024 + bytes.length, `no allocation beyond the file (${bytes.length} bytes)\n--- input (base64) ---\n${bytes.toString('base64')}`);
    return outcome.startsWith('ok') ? 'read' : 'refused';
  });
});
