// The encoder's external weights (engine/onnx/encode.ts): initializers whose bytes lie in the buffer
// the weights were read into are written as references to it, and onnxruntime given that buffer as
// the external file runs the model to the same logits, bit for bit, as the model with its weights inline.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildModel } from '../../../engine/onnx/build';
import { encodeModel } from '../../../engine/onnx/encode';
import { ModelProto } from '../../../engine/onnx/proto';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { EXAMPLES, exampleNetwork } from './example-networks';

interface DecodedTensor {
  name: string;
  raw_data?: Uint8Array;
  external_data?: { key: string; value: string }[];
  data_location?: number;
}

test('weights referenced in their buffer: the same model as with the weights inline, and the same logits', async () => {
  const network = exampleNetwork('fashion_resnet20');
  const weights = await loadStateDict(network, join(EXAMPLES, 'fashion-mnist', 'resnet20.safetensors'));
  assert.ok(weights.buffer);
  // Folded in place, as the worker does: the convs' weights are scaled in the buffer; new biases live outside it.
  const model = buildModel(network, weights.tensors, {}, { consumeWeights: true });
  const inline = encodeModel(model);
  const external = encodeModel(model, { location: 'weights', buffer: weights.buffer });
  assert.ok(external.length < inline.length / 10, `${external.length} bytes with the weights referenced, ${inline.length} inline`);

  const buffer = new Uint8Array(weights.buffer);
  const tensorsOf = (bytes: Uint8Array) => (ModelProto.toObject(ModelProto.decode(bytes), { defaults: false }) as { graph: { initializer: DecodedTensor[] } }).graph.initializer;
  const [a, b] = [tensorsOf(inline), tensorsOf(external)];
  assert.equal(a.length, b.length);
  let referenced = 0;
  for (let i = 0; i < a.length; i++) {
    const { raw_data: raw, ...restA } = a[i]!;
    const { external_data: reference, data_location: location, raw_data: rawB, ...restB } = b[i]!;
    assert.deepEqual(restB, restA);
    if (!reference) {
      assert.deepEqual(rawB, raw, `${restA.name} stays inline`);
      continue;
    }
    referenced++;
    assert.equal(location, 1);
    const field = (key: string) => Number(reference.find((e) => e.key === key)!.value);
    assert.equal(reference.find((e) => e.key === 'location')!.value, 'weights');
    assert.deepEqual(buffer.subarray(field('offset'), field('offset') + field('length')), new Uint8Array(raw!), restA.name);
  }
  assert.ok(referenced > 20, `${referenced} initializers referenced`);

  const input = new ort.Tensor('float32', new Float32Array(784).map((_, i) => Math.sin(i)), [1, 1, 28, 28]);
  const run = async (bytes: Uint8Array, options: ort.InferenceSession.SessionOptions) => {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...options });
    try {
      return (await session.run({ input })).logits!.data as Float32Array;
    } finally {
      await session.release();
    }
  };
  const expected = await run(inline, {});
  const session = await ort.InferenceSession.create(external, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', externalData: [{ path: 'weights', data: buffer }] });
  try {
    const before = (await session.run({ input })).logits!.data as Float32Array;
    assert.deepEqual([...before], [...expected]);
    // onnxruntime copied what it needs: the worker lets the buffer go once the session exists.
    buffer.fill(0);
    const after = (await session.run({ input })).logits!.data as Float32Array;
    assert.deepEqual([...after], [...expected]);
  } finally {
    await session.release();
  }
});
