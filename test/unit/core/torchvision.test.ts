// Params, MACs, every weighted layer's shape and the state_dict keys against torchvision itself, run at test time.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { flattenLayers } from '../../../language/core/walk';
import { exampleFile, TORCHVISION_NAMES } from '../onnx/example-networks';
import { PYTHON } from '../onnx/oracle';

const root = join(__dirname, '../../..');
const videoModels = ['r3d_18', 'mc3_18', 'r2plus1d_18'];
const models = [...TORCHVISION_NAMES, 'fashion_resnet20', 'resnet50_dilated', ...videoModels];

interface OracleLayer {
  name: string;
  type: string;
  outputShape: number[];
  params: number;
  macs: number;
}
interface OracleModel {
  params: number;
  macs: number;
  layers: OracleLayer[];
  reference: { num_params: number | null } | null;
}

const oracle: Record<string, OracleModel> = JSON.parse(
  execFileSync(PYTHON, [join(root, 'test/oracle/torchvision_counts.py'), ...models], { encoding: 'utf8', maxBuffer: 256 << 20 }),
);

for (const model of models) {
  test(`${model}: params, MACs and weighted layers equal torchvision's`, () => {
    const expected = oracle[model];
    const analysis = analyze(readFileSync(exampleFile(model), 'utf8'));
    const network = analysis.networks[0];
    assert.equal(network.params, BigInt(expected.params), 'params');
    if (expected.reference?.num_params) assert.equal(network.params, BigInt(expected.reference.num_params), "torchvision's published num_params");
    assert.ok(Math.abs(Number(network.macs) - expected.macs) <= expected.macs * 0.001, `MACs ${network.macs} vs ${expected.macs}`);
    const ours = new Map(flattenLayers(network).map((l) => [l.name, l.layer]));
    for (const layer of expected.layers.filter((l) => l.type !== 'ReLU')) {
      const mine = ours.get(layer.name);
      assert.ok(mine, `layer ${layer.name} is missing`);
      assert.deepEqual(mine.outputShape, layer.outputShape, `${layer.name} output shape`);
      assert.equal(mine.params, BigInt(layer.params), `${layer.name} params`);
      assert.equal(mine.macs, BigInt(layer.macs), `${layer.name} MACs`);
    }
    const weighted = [...ours.values()].filter((l) => l.params > 0).length;
    assert.equal(weighted, expected.layers.filter((l) => l.params > 0).length, 'number of layers with parameters');
  });
}

for (const model of ['resnet18', ...videoModels]) {
  test(`${model}: the state_dict keys, dtypes and shapes are torchvision's, in its order`, () => {
    const printed = execFileSync(PYTHON, [join(root, 'test/oracle/reference_models.py'), model], { encoding: 'utf8' });
    const expected = printed.trim().split('\n');
    const network = analyze(readFileSync(exampleFile(model), 'utf8')).networks[0];
    const ours = flattenLayers(network).flatMap((l) => l.layer.weights).map((w) => `${w.key}\t${w.dtype}\t[${w.shape.join(', ')}]`);
    assert.deepEqual(ours, expected);
  });
}
