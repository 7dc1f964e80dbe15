// Compiling for inference folds each batchnorm that follows a conv into it (engine/onnx/fold-batchnorm.ts);
// keepBatchnorm (export --keep-bn) keeps the graph as written. The logits of both must agree within
// 1e-4 of the largest logit, with batchnorm statistics far from the identity. Against torch, the
// folded models are what compile.test.ts runs. Every compiled model takes any batch size.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { BATCH_DIM, buildModel, compileToOnnx } from '../../../engine/onnx/build';
import { randomWeights } from '../../../engine/onnx/random-weights';
import { EXAMPLES, analyzeFile, exampleNetwork } from './example-networks';
import { relativeError, topK } from './oracle';

/** A small deterministic generator, so a failure can be rerun. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** He weights, with every batchnorm's scale, shift and running statistics drawn away from 1 and 0. */
function weightsWithStatistics(name: string) {
  const network =
    name === 'inverted_residual_net' ? analyzeFile(join(EXAMPLES, 'inverted_residual.resnet')).find((n) => n.name === name)! : exampleNetwork(name);
  const tensors = randomWeights(network, 3).tensors;
  const random = generator(7);
  for (const [key, values] of tensors) {
    const bn = tensors.has(key.replace(/\.[a-z_]+$/, '.running_var'));
    if (!bn) continue;
    const [low, high] = key.endsWith('running_var') ? [0.2, 2] : key.endsWith('.weight') ? [0.5, 1.5] : [-0.3, 0.3];
    for (let i = 0; i < values.length; i++) values[i] = low + (high - low) * random();
  }
  return { network, tensors };
}

async function logits(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  try {
    return (await session.run({ input: new ort.Tensor('float32', input, dims) })).logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('folded models give the unfolded logits', () => {
  // Plain blocks, projection and zeropad shortcuts, depthwise convs, pre-activation blocks (whose
  // batchnorms follow an add, or a conv whose output is also the shortcut, and stay).
  for (const name of ['fashion_resnet20', 'resnet18', 'preact_resnet18', 'inverted_residual_net', 'zeropad_mix']) {
    test(name, async () => {
      const { network, tensors } = weightsWithStatistics(name);
      const kept = buildModel(network, tensors, {}, { keepBatchnorm: true });
      const folded = buildModel(network, tensors);
      const count = (model: typeof kept, op: string) => model.graph.node.filter((n) => n.op_type === op).length;
      const convs = count(kept, 'Conv');
      assert.equal(count(folded, 'Conv'), convs);
      // Each batchnorm that alone reads a conv's output is gone; the rest stay.
      const producers = new Map(kept.graph.node.map((n) => [n.output[0], n.op_type]));
      const readers = (value: string) => kept.graph.node.filter((n) => n.input.includes(value)).length;
      const afterConv = kept.graph.node.filter((n) => n.op_type === 'BatchNormalization' && producers.get(n.input[0]!) === 'Conv' && readers(n.input[0]!) === 1).length;
      assert.ok(afterConv > 0);
      assert.equal(count(folded, 'BatchNormalization'), count(kept, 'BatchNormalization') - afterConv);
      const statistics = (model: typeof kept) => model.graph.initializer.filter((t) => t.name.endsWith('running_mean')).length;
      assert.equal(statistics(folded), statistics(kept) - afterConv);
      assert.deepEqual(folded.metadata_props, [{ key: 'batchnorm', value: 'folded into the preceding convs' }]);
      assert.deepEqual(kept.metadata_props, []);

      const random = generator(11);
      const input = new Float32Array(network.input!.reduce((a, b) => a * b, 1)).map(() => random() * 2 - 1);
      const dims = [1, ...network.input!];
      const expected = await logits(compileToOnnx(network, tensors, {}, { keepBatchnorm: true }), input, dims);
      const actual = await logits(compileToOnnx(network, tensors), input, dims);
      const error = relativeError(actual, expected);
      assert.ok(error < 1e-4, `${name}: max error ${error} relative to the largest logit`);
      assert.deepEqual(topK(actual, 5), topK(expected, 5));
    });
  }
});

test('folding that may overwrite the weights gives the same model as folding copies, and copies leave the weights as they were', () => {
  const { network, tensors } = weightsWithStatistics('fashion_resnet20');
  const before = new Map([...tensors].map(([key, values]) => [key, values.slice()]));
  const copied = compileToOnnx(network, tensors);
  assert.deepEqual(tensors, before);
  const overwritten = compileToOnnx(network, tensors, {}, { consumeWeights: true });
  assert.deepEqual(overwritten, copied);
});

test('the input and output take any batch size, and each input of a batch gets the logits it gets alone', async () => {
  const { network, tensors } = weightsWithStatistics('fashion_resnet20');
  const model = buildModel(network, tensors);
  for (const value of [...model.graph.input, ...model.graph.output]) assert.deepEqual(value.type.tensor_type.shape.dim[0], { dim_param: BATCH_DIM });
  const bytes = compileToOnnx(network, tensors);
  const size = 28 * 28;
  const random = generator(5);
  const batch = new Float32Array(5 * size).map(() => random());
  const together = await logits(bytes, batch, [5, 1, 28, 28]);
  assert.equal(together.length, 5 * 10);
  for (let i = 0; i < 5; i++) {
    const alone = await logits(bytes, batch.slice(i * size, (i + 1) * size), [1, 1, 28, 28]);
    assert.deepEqual(together.slice(i * 10, (i + 1) * 10), alone, `input ${i}`);
  }
});
