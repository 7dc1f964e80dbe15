import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Span } from '../../../language/core/syntax';
import { expectedWeights } from '../../../engine/onnx/network-walk';
import { randomWeights } from '../../../engine/onnx/random-weights';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { exampleNetwork } from '../onnx/example-networks';

const fashionResnet20 = () => exampleNetwork('fashion_resnet20');
import { writeF32Tensors } from './write-safetensors';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-state-dict-'));
after(() => rmSync(folder, { recursive: true, force: true }));

type Tensors = Record<string, { shape: number[]; values: Float32Array }>;

/** fashion_resnet20's float entries with random values, as a mutable record. */
function fashionTensors(): Tensors {
  const network = fashionResnet20();
  const weights = randomWeights(network, 3).tensors;
  const tensors: Tensors = {};
  for (const [key, { spec }] of expectedWeights(network)) {
    if (spec.dtype === 'float32') tensors[key] = { shape: spec.shape, values: weights.get(key)! };
  }
  return tensors;
}

test('a complete file loads with no problems and a summary', async () => {
  const path = writeF32Tensors(join(folder, 'ok.safetensors'), fashionTensors());
  const loaded = await loadStateDict(fashionResnet20(), path);
  assert.deepEqual(loaded.problems, []);
  assert.equal(loaded.ok, true);
  assert.equal(loaded.summary, 'ok.safetensors: 107 tensors, 273.8K values loaded');
  assert.equal(loaded.source.kind, 'file');
});

test('missing, unexpected and wrong-shaped keys are reported as load_state_dict(strict=True) does', async () => {
  const tensors = fashionTensors();
  delete tensors['layer2.0.downsample.0.weight'];
  delete tensors['bn1.running_var'];
  tensors['fc.weight'] = { shape: [1000, 64], values: new Float32Array(64000) };
  tensors['head.weight'] = { shape: [2], values: new Float32Array(2) };
  const network = fashionResnet20();
  const loaded = await loadStateDict(network, writeF32Tensors(join(folder, 'bad.safetensors'), tensors));
  assert.equal(loaded.ok, false);
  const byKey = Object.fromEntries(loaded.problems.map((p) => [p.key, p]));
  assert.equal(byKey['layer2.0.downsample.0.weight']!.kind, 'missing');
  assert.equal(byKey['layer2.0.downsample.0.weight']!.layer, 'layer2.0.downsample.0');
  assert.equal(byKey['bn1.running_var']!.layer, 'bn1');
  assert.equal(byKey['head.weight']!.kind, 'unexpected');
  assert.equal(byKey['head.weight']!.layer, undefined);
  assert.equal(
    byKey['fc.weight']!.message,
    'size mismatch for fc.weight: copying a param with shape torch.Size([1000, 64]) from checkpoint, the shape in current model is torch.Size([10, 64]).',
  );
  assert.equal(loaded.problems.length, 4);
  assert.equal(loaded.summary, 'bad.safetensors does not fit this network: 2 missing, 1 unexpected, 1 wrong-shaped tensor(s)');
  assert.equal(
    loaded.details,
    [
      'Error(s) in loading state_dict for fashion_resnet20:',
      '\tMissing key(s) in state_dict: "bn1.running_var", "layer2.0.downsample.0.weight".',
      '\tUnexpected key(s) in state_dict: "head.weight".',
      '\tsize mismatch for fc.weight: copying a param with shape torch.Size([1000, 64]) from checkpoint, the shape in current model is torch.Size([10, 64]).',
    ].join('\n'),
  );
});

test('a header-only check (for the language server) finds the same problems without reading data', async () => {
  const tensors = fashionTensors();
  delete tensors['bn1.bias'];
  tensors['fc.bias']!.values[0] = NaN;
  const path = writeF32Tensors(join(folder, 'header-only.safetensors'), tensors);
  const full = await loadStateDict(fashionResnet20(), path);
  const quick = await loadStateDict(fashionResnet20(), path, { readValues: false });
  assert.deepEqual(quick.problems, full.problems.filter((p) => p.kind !== 'non-finite'));
  assert.equal(quick.tensors.size, 0);
  const fine = await loadStateDict(fashionResnet20(), writeF32Tensors(join(folder, 'fine.safetensors'), fashionTensors()), { readValues: false });
  assert.equal(fine.summary, 'fine.safetensors fits this network');
});

test('each problem carries the span of its owning layer', async () => {
  const network = fashionResnet20();
  const range: Span = { start: 120, end: 148 };
  const fc = network.children[network.children.length - 1]!;
  fc.range = range;
  const tensors = fashionTensors();
  delete tensors['fc.bias'];
  const loaded = await loadStateDict(network, writeF32Tensors(join(folder, 'nobias.safetensors'), tensors));
  assert.deepEqual(loaded.problems.map((p) => [p.key, p.layer, p.range]), [['fc.bias', 'fc', range]]);
});

test('torchvision-style keys in the file load; num_batches_tracked may be absent', async () => {
  const loaded = await loadStateDict(fashionResnet20(), writeF32Tensors(join(folder, 'nocount.safetensors'), fashionTensors()));
  assert.equal(loaded.problems.filter((p) => p.key.endsWith('num_batches_tracked')).length, 0);
});

test('random weights are seeded He init as torchvision does', () => {
  const network = exampleNetwork('resnet18');
  const a = randomWeights(network, 7);
  const b = randomWeights(network, 7);
  const c = randomWeights(network, 8);
  assert.deepEqual(a.tensors.get('layer1.0.conv1.weight'), b.tensors.get('layer1.0.conv1.weight'));
  assert.notDeepEqual(a.tensors.get('layer1.0.conv1.weight'), c.tensors.get('layer1.0.conv1.weight'));
  assert.match(a.summary, /random weights \(seed 7/);

  const conv = a.tensors.get('layer4.0.conv1.weight')!; // [512, 256, 3, 3]: fan_out = 512 * 9
  const std = Math.sqrt(conv.reduce((s, v) => s + v * v, 0) / conv.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / (512 * 9))) / std < 0.01, `conv std ${std}`);

  assert.ok(a.tensors.get('bn1.weight')!.every((v) => v === 1));
  assert.ok(a.tensors.get('bn1.bias')!.every((v) => v === 0));
  assert.ok(a.tensors.get('bn1.running_var')!.every((v) => v === 1));

  const fc = a.tensors.get('fc.weight')!; // U(±1/sqrt(512))
  const bound = 1 / Math.sqrt(512);
  assert.ok(fc.every((v) => Math.abs(v) <= bound));
  assert.ok(fc.reduce((m, v) => Math.max(m, v), 0) > bound * 0.99);
  assert.ok(a.tensors.get('fc.bias')!.every((v) => Math.abs(v) <= bound));
});
