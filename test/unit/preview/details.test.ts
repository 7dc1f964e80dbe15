// The details panel's weights: keys and shapes from the op table, statistics read from the network's
// safetensors file by the host, checked against torch reading the same file.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { layerDetails, tensorStats, type DetailsSource } from '../../../extension/preview-details';
import { analyze } from '../../../language/core/analysis';
import { buildGraph } from '../../../language/core/graph';

const modelPath = join(__dirname, '../../../examples/fashion-mnist/resnet20.resnet');
const text = readFileSync(modelPath, 'utf8');
const graph = buildGraph(analyze(text).networks[0]);
const source: DetailsSource = { text, folder: dirname(modelPath), trusted: true, show: (path) => path.split('/').slice(-2).join('/') };

test('a conv of the trained Fashion-MNIST ResNet-20: its keys, shapes and statistics, as torch computes them from the file', async () => {
  const details = await layerDetails(source, graph, 'n:layer2.0.downsample.0');
  assert.ok(details);
  assert.deepEqual(
    details.weights.map((w) => `${w.key} ${w.shape.join('×')} ${w.kind}`),
    ['layer2.0.downsample.0.weight 32×16×1×1 parameter'],
  );
  assert.equal(details.file, 'fashion-mnist/resnet20.safetensors');
  const bn = await layerDetails(source, graph, 'n:bn1');
  assert.deepEqual(
    bn!.weights.map((w) => w.key),
    ['bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'bn1.num_batches_tracked'],
  );
  const all = [...details.weights, ...bn!.weights].filter((w) => w.stats);
  assert.equal(all.length, 5, 'num_batches_tracked (int64) has no statistics');
  const oracle = JSON.parse(
    execFileSync('/usr/bin/python3', [join(__dirname, '../../oracle/safetensors_stats.py'), join(dirname(modelPath), 'resnet20.safetensors'), ...all.map((w) => w.key)], { encoding: 'utf8' }),
  ) as Record<string, Record<string, number>>;
  for (const w of all) {
    for (const field of ['min', 'max', 'mean', 'std'] as const) {
      const expected = oracle[w.key][field];
      assert.ok(Math.abs(w.stats![field] - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${w.key} ${field}: ${w.stats![field]} vs torch ${expected}`);
    }
    assert.equal(w.stats!.nonFinite, oracle[w.key].nonFinite);
  }
});

test('without a weights file, in Restricted Mode, or for what is not a layer: keys and shapes, and why there are no statistics', async () => {
  const bare = text.replace('weights "resnet20.safetensors"', '');
  const noWeights = await layerDetails({ ...source, text: bare }, buildGraph(analyze(bare).networks[0]), 'n:fc');
  assert.deepEqual(noWeights?.weights.map((w) => `${w.key} ${w.shape.join('×')}`), ['fc.weight 10×64', 'fc.bias 10']);
  assert.match(noWeights!.note!, /declares no weights file/);
  assert.match((await layerDetails({ ...source, trusted: false }, graph, 'n:fc'))!.note!, /Restricted Mode/);
  const missing = await layerDetails({ ...source, text: text.replace('resnet20.safetensors', 'nowhere.safetensors') }, graph, 'n:fc');
  assert.match(missing!.note!, /nowhere\.safetensors/);
  assert.equal(await layerDetails(source, graph, 'n:layer1.0.add'), undefined);
  assert.equal(await layerDetails(source, graph, 'g:layer1'), undefined);
  assert.equal(await layerDetails(source, graph, 'n:no-such-layer'), undefined);
});

test('statistics leave NaN and infinities out and count them', () => {
  const stats = tensorStats(new Float32Array([1, 2, 3, Number.NaN, Number.POSITIVE_INFINITY]));
  assert.deepEqual(stats, { min: 1, max: 3, mean: 2, std: 1, nonFinite: 2 });
});
