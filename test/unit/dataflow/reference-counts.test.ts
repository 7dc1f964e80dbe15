// DenseNet against torchvision, CBAM / IBN-Net / Res2Net / WRN against their authors' modules
// (transcribed in test/oracle/dataflow_models.py): params, every state_dict key with its shape, and
// the output shape of every leaf module the reference runs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { allNodes, flattenLayers } from '../../../language/core/walk';
import { repoRoot } from '../examples';
import { referenceCounts } from './oracle';

export const REFERENCE_MODELS = ['densenet121', 'densenet161', 'densenet169', 'densenet201', 'cbam_resnet50', 'resnet50_ibn_a', 'res2net50_26w_4s', 'wrn28_10'];

const oracle = referenceCounts(REFERENCE_MODELS);

for (const model of REFERENCE_MODELS) {
  test(`${model}: params, weight keys and layer shapes equal the reference module's`, () => {
    const expected = oracle[model];
    const analysis = analyze(readFileSync(join(repoRoot, 'examples', `${model}.resnet`), 'utf8'));
    assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
    const network = analysis.networks[0];
    assert.equal(network.params, BigInt(expected.params), 'params');
    const keys = Object.fromEntries([...allNodes(network.children)].flatMap((n) => (n.kind === 'layer' ? n.weights.map((w) => [w.key, w.shape]) : [])));
    assert.deepEqual(keys, expected.keys);
    const ours = new Map(flattenLayers(network).map((l) => [l.name, l.layer]));
    let compared = 0;
    for (const layer of expected.layers) {
      const mine = ours.get(layer.name);
      if (!mine) continue; // a weightless module the language computes as a value (ChannelPool, Flatten)
      assert.deepEqual(mine.outputShape, layer.outputShape, `${layer.name} output shape`);
      compared++;
    }
    assert.ok(compared >= expected.layers.filter((l) => expected.keys[`${l.name}.weight`]).length, `${compared} layers compared`);
  });
}
