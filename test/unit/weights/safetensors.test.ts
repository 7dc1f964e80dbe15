// The reader on well-formed files; hostile ones are in the catalogue (test/hostile/weights/).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SafetensorsFile } from '../../../engine/onnx/safetensors';
import { referenceDtypes } from '../onnx/oracle';
import { writeF32Tensors, writeSafetensors } from './write-safetensors';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-safetensors-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let counter = 0;
const path = () => join(folder, `case${counter++}.safetensors`);

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


test('several tensors read at once share one buffer and equal those read one by one', async () => {
  // F32 tensors, one of them placed 2 bytes past alignment by an F16 tensor before it, and F16 and BF16 ones.
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x7c00]); // 1, -2, inf
  const bf16 = new Uint16Array([0x3f80]); // 1
  const a = new Float32Array([1, 2, 3, 4]);
  const b = new Float32Array([-0.5, 0.25]);
  const bytes = Buffer.concat([a, f16, b, bf16].map((x) => new Uint8Array(x.buffer)));
  const header = {
    a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
    h: { dtype: 'F16', shape: [3], data_offsets: [16, 22] },
    b: { dtype: 'F32', shape: [2], data_offsets: [22, 30] },
    g: { dtype: 'BF16', shape: [1], data_offsets: [30, 32] },
  };
  const st = await SafetensorsFile.open(writeSafetensors(path(), header, bytes));
  try {
    const { values, buffer } = await st.readFloat32Many(['a', 'h', 'b', 'g']);
    for (const key of ['a', 'h', 'b', 'g']) assert.deepEqual([...values.get(key)!], [...(await st.readFloat32(key))], key);
    assert.equal(values.get('a')!.buffer, buffer, 'an aligned F32 tensor is a view of the one buffer');
    assert.notEqual(values.get('b')!.buffer, buffer, 'a misaligned one is copied');
    assert.notEqual(values.get('h')!.buffer, buffer, 'F16 is converted');
    assert.deepEqual((await st.readFloat32Many([])).values.size, 0);
  } finally {
    await st.close();
  }
});
