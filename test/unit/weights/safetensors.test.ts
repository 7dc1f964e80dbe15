import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SafetensorsError, SafetensorsFile } from '../../../language/onnx/safetensors';
import { referenceDtypes } from '../onnx/oracle';
import { safetensorsBytes, writeF32Tensors, writeSafetensors } from './write-safetensors';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-safetensors-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let counter = 0;
const path = () => join(folder, `case${counter++}.safetensors`);

async function rejects(file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(SafetensorsFile.open(file), (error: unknown) => {
    assert.ok(error instanceof SafetensorsError, `a SafetensorsError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(error.message.startsWith(file), 'the message names the file');
    return true;
  });
}

test('reads a well-formed file through the header', async () => {
  const file = writeF32Tensors(path(), {
    a: { shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
    b: { shape: [], values: new Float32Array([-0.5]) },
  });
  const st = await SafetensorsFile.open(file);
  try {
    assert.deepEqual([...st.header.tensors.keys()], ['a', 'b']);
    assert.deepEqual(st.header.tensors.get('a')!.shape, [2, 2]);
    assert.deepEqual([...(await st.readFloat32('a'))], [1, 2, 3, 4]);
    assert.deepEqual([...(await st.readFloat32('b'))], [-0.5]);
  } finally {
    await st.close();
  }
});

test('an empty or 5-byte file', async () => {
  const empty = path();
  writeFileSync(empty, '');
  await rejects(empty, /0 bytes, fewer than the 8-byte header length/);
  const short = path();
  writeFileSync(short, 'abcde');
  await rejects(short, /5 bytes/);
});

test('a header length larger than the file', async () => {
  await rejects(writeSafetensors(path(), { a: 1 }, undefined, 1n << 40n), /header length 1099511627776 runs past the end of the file/);
  await rejects(writeSafetensors(path(), { a: 1 }, undefined, (1n << 64n) - 1n), /runs past the end of the file/);
});

test('a truncated file: the data ends before the tensors do', async () => {
  const whole = safetensorsBytes({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(16));
  const file = path();
  writeFileSync(file, whole.subarray(0, whole.length - 5));
  await rejects(file, /tensor w has data_offsets \[0, 16\] beyond the 11 bytes of data/);
});

test('a header that is not JSON, not an object, or not UTF-8', async () => {
  await rejects(writeSafetensors(path(), '{"a": {"dtype": "F32",'), /not valid UTF-8 JSON/);
  await rejects(writeSafetensors(path(), '[1, 2, 3]'), /not a JSON object/);
  const file = path();
  writeFileSync(file, Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]));
  await rejects(file, /not valid UTF-8 JSON/);
});

test('an unknown dtype', async () => {
  await rejects(
    writeSafetensors(path(), { w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16)),
    /tensor w has unknown dtype "F128"/,
  );
});

test('shape × dtype size disagreeing with the offsets', async () => {
  await rejects(
    writeSafetensors(path(), { w: { dtype: 'F16', shape: [3, 3], data_offsets: [0, 36] } }, new Uint8Array(36)),
    /tensor w declares shape \[3, 3\] of F16 \(18 bytes\) but data_offsets \[0, 36\] hold 36 bytes/,
  );
  await rejects(writeSafetensors(path(), { w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /not a list of non-negative integers/);
  await rejects(writeSafetensors(path(), { w: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, new Uint8Array(8)), /end before they begin/);
  await rejects(writeSafetensors(path(), { w: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)), /data_offsets undefined, not \[begin, end\]/);
});

test('overlapping and out-of-range offsets', async () => {
  const header = {
    a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
    b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
  };
  await rejects(writeSafetensors(path(), header, new Uint8Array(16)), /tensors a \[0, 16\] and b \[8, 16\] overlap/);
  await rejects(
    writeSafetensors(path(), { a: { dtype: 'F32', shape: [4], data_offsets: [16, 32] } }, new Uint8Array(16)),
    /beyond the 16 bytes of data/,
  );
});

test('a 4 GB tensor declared in a 1 KB file is refused before any allocation', async () => {
  const elements = 2 ** 30;
  const file = writeSafetensors(path(), { huge: { dtype: 'F32', shape: [elements], data_offsets: [0, elements * 4] } }, new Uint8Array(900));
  const before = process.memoryUsage().arrayBuffers;
  await rejects(file, /tensor huge has data_offsets \[0, 4294967296\] beyond the 900 bytes of data/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no large buffer was allocated');
});

test('__metadata__ is read; a non-string value in it is refused', async () => {
  const ok = await SafetensorsFile.open(writeSafetensors(path(), { __metadata__: { format: 'pt' } }));
  assert.deepEqual(ok.header.metadata, { format: 'pt' });
  await ok.close();
  await rejects(writeSafetensors(path(), { __metadata__: { format: 3 } }), /__metadata__\.format is not a string/);
});

test('F16 and BF16 convert to float32 exactly as torch does (subnormals, ±0, overflow to inf)', async () => {
  const st = await SafetensorsFile.open(referenceDtypes());
  try {
    for (const [stored, asFloat] of [
      ['f16', 'f16_as_f32'],
      ['bf16', 'bf16_as_f32'],
    ] as const) {
      const converted = await st.readFloat32(stored);
      const expected = await st.readFloat32(asFloat);
      assert.equal(converted.length, 20);
      for (let i = 0; i < expected.length; i++) assert.ok(Object.is(converted[i], expected[i]), `${stored}[${i}]: ${converted[i]} vs ${expected[i]}`);
    }
    const half = await st.readFloat32('f16');
    assert.equal(half[3], Infinity);
    assert.ok(Object.is(half[1], -0));
    assert.ok(half[2]! > 0 && half[2]! < 6.2e-5, 'subnormal kept');
  } finally {
    await st.close();
  }
});

test('reading an integer tensor as float32 is refused', async () => {
  const data = new Uint8Array(new BigInt64Array([7n]).buffer);
  const st = await SafetensorsFile.open(writeSafetensors(path(), { n: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, data));
  try {
    await assert.rejects(st.readFloat32('n'), /n: dtype I64 cannot be read as float32/);
  } finally {
    await st.close();
  }
});

test('a PyTorch checkpoint gets a hint on converting it', async () => {
  const checkpoint = join(folder, 'model.pth');
  writeFileSync(checkpoint, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 1)]));
  await rejects(checkpoint, /runs past the end of the file .*; this looks like a PyTorch checkpoint: convert it with python -c/);
});

test('a directory is not a weights file', async () => {
  await rejects(folder, /not a valid safetensors file: it is a directory/);
});

test('a missing file is one clear error', async () => {
  await assert.rejects(SafetensorsFile.open(join(folder, 'nope.safetensors')), /cannot open weights file .*nope\.safetensors: ENOENT/);
});
