// The profile-to-layers mapping on hand-made profiles: onnxruntime's fused node names (a conv, its
// batchnorm and ReLU run as one node named after the ReLU; conv2 + bn2 + add + ReLU named after bn2),
// its own layout nodes, a batchnorm the compiler folded (no node at all), and the run windows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { buildModel } from '../../../engine/onnx/build';
import { randomWeights } from '../../../engine/onnx/random-weights';
import { layerProfile, nodeTimes, runWindows, type GraphNode } from '../../../engine/runtime/profile';

const SOURCE = `network tiny {
  input 3x8x8
  conv1 conv(4, kernel=3, padding=1)
  bn1   batchnorm
  relu  relu
  layer1 basic(4) x1
  avgpool avgpool
  fc    linear(2)
}
`;

/** With `keepBatchnorm`, the graph as `export --keep-bn` writes it; by default as inference compiles it (each BN folded into its conv). */
async function compiled(keepBatchnorm = false): Promise<{ network: ReturnType<typeof analyze>['networks'][number]; graph: GraphNode[] }> {
  const network = analyze(SOURCE).networks[0]!;
  const weights = await randomWeights(network, 0);
  const graph = buildModel(network, weights.tensors, {}, { keepBatchnorm }).graph.node.map((n) => ({ name: n.name, opType: n.op_type, inputs: n.input, outputs: n.output }));
  return { network, graph };
}

const event = (name: string, ts: number, dur: number) => ({ cat: 'Node', name: `${name}_kernel_time`, ts, dur, args: { provider: 'CPUExecutionProvider' } });

test('fused nodes give their time to the layers they ran, named as in the network', async () => {
  // onnxruntime's own fusion on a graph that kept its batchnorms.
  const { network, graph } = await compiled(true);
  const events = [
    { cat: 'Session', name: 'model_run', ts: 0, dur: 50 },
    event('relu', 1, 99), // the warm-up run: not counted
    { cat: 'Session', name: 'model_run', ts: 100, dur: 60 },
    event('relu_nchwc', 101, 10),
    event('layer1.0.relu_nchwc', 112, 8),
    event('layer1.0.bn2_nchwc', 121, 7),
    event('ReorderOutput', 129, 2),
    event('avgpool', 132, 3),
    event('fc', 136, 4),
  ];
  const windows = runWindows(events);
  assert.deepEqual(windows, [[0, 50], [100, 160]]);
  const profile = layerProfile(network, graph, nodeTimes(events, windows[1]!));
  const byName = Object.fromEntries(profile.layers.map((l) => [l.name, l]));
  assert.deepEqual(byName.conv1, { name: 'conv1', ms: 0.01, fusedInto: 'relu' });
  assert.deepEqual(byName.bn1, { name: 'bn1', ms: 0.01, fusedInto: 'relu' });
  assert.deepEqual(byName.relu, { name: 'relu', ms: 0.01 });
  assert.deepEqual(byName['layer1.0.conv2'], { name: 'layer1.0.conv2', ms: 0.007, fusedInto: 'layer1.0.bn2' });
  assert.equal(byName['layer1.0']?.fusedInto, 'layer1.0.bn2', 'the residual add ran in bn2 (conv2 + bn2 + add + ReLU)');
  assert.deepEqual(byName.fc, { name: 'fc', ms: 0.004 });
  assert.equal(profile.otherMs, 0.002, "onnxruntime's ReorderOutput is in no layer");
  assert.deepEqual(profile.layers.map((l) => l.name), ['conv1', 'bn1', 'relu', 'layer1.0.conv1', 'layer1.0.bn1', 'layer1.0.relu', 'layer1.0.conv2', 'layer1.0.bn2', 'layer1.0', 'avgpool', 'fc']);
});

test('a batchnorm the compiler folded into its conv (no node in the graph) is reported as fused into the layer before it', async () => {
  const { network, graph: folded } = await compiled();
  assert.ok(!folded.some((n) => n.opType === 'BatchNormalization'), 'inference compiles each batchnorm into its conv');
  const events = [{ cat: 'Session', name: 'model_run', ts: 0, dur: 100 }, event('conv1', 1, 20), event('relu', 22, 5)];
  const profile = layerProfile(network, folded, nodeTimes(events, runWindows(events)[0]!));
  const byName = Object.fromEntries(profile.layers.map((l) => [l.name, l]));
  assert.deepEqual(byName.conv1, { name: 'conv1', ms: 0.02 });
  assert.deepEqual(byName.bn1, { name: 'bn1', ms: 0.02, fusedInto: 'conv1' });
  assert.deepEqual(byName.relu, { name: 'relu', ms: 0.005 });
});
