// The channel ops on a clip keep every spatial axis, as torch does on a 5-D tensor
// (torch.mean/amax(x, 1, keepdim=True) and x[:, a:b] keep T, H and W), and the exported model agrees;
// global max pooling is lowered to nn.AdaptiveMaxPool2d, which torch refuses on a clip: an error here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { analyze } from '../../../language/core/analysis';
import { allNodes } from '../../../language/core/walk';
import { compileToOnnx, INPUT_NAME, OUTPUT_NAME } from '../../../engine/onnx/build';
import { randomWeights } from '../../../engine/onnx/random-weights';
import { PYTHON } from './oracle';

const torchShapes = JSON.parse(
  execFileSync(PYTHON, ['-c', `
import json, torch
x = torch.zeros(1, 4, 3, 8, 8)
print(json.dumps({'mean': list(torch.mean(x, 1, keepdim=True).shape), 'max': list(torch.amax(x, 1, keepdim=True).shape), 'split': list(torch.split(x, 2, 1)[1].shape)}))
`], { encoding: 'utf8' }),
) as Record<'mean' | 'max' | 'split', number[]>;

const clipNetwork = `
network clip {
  input 4x3x8x8
  pooled pool(2) x1
  flatten flatten
  fc linear(2)
}

block pool(half) {
  parts = split(input, half)
  mean = channel_mean(parts[1])
  most = channel_max(input)
  joined = cat(mean, most)
}
`;

test('channel_mean, channel_max and split keep T, H and W on a clip, as torch does, and the export runs with those shapes', async () => {
  const analysis = analyze(clipNetwork);
  assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
  const network = analysis.networks[0]!;
  const nodes = [...allNodes(network.children)];
  const shapeOf = (label: string) => nodes.find((n) => 'label' in n && n.label === label)!.outputShape;
  assert.deepEqual(nodes.find((n) => n.kind === 'layer' && n.op === 'slice')!.outputShape, torchShapes.split);
  assert.deepEqual(shapeOf('mean'), torchShapes.mean);
  assert.deepEqual(shapeOf('most'), torchShapes.max);
  assert.deepEqual(shapeOf('joined'), [1, 2, 3, 8, 8]);
  const session = await ort.InferenceSession.create(compileToOnnx(network, randomWeights(network).tensors));
  const output = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', new Float32Array(4 * 3 * 8 * 8).fill(0.5), [1, 4, 3, 8, 8]) });
  assert.deepEqual(output[OUTPUT_NAME]!.dims, [1, 2]);
});

test('global_maxpool on a clip is a rank error (torch: adaptive_max_pool2d expects a 3-D or 4-D tensor)', () => {
  const analysis = analyze('network clip {\n  input 4x3x8x8\n  pooled global_maxpool\n}\n');
  assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['RS0521']);
});
