// `export --format pytorch` of a clip with named values: the module torch builds from it runs on a
// 5-D input (instance norm is nn.InstanceNorm3d there, as batchnorm is nn.BatchNorm3d) and, with
// weights torch made, gives the compiled ONNX model's logits within 1e-4 of the largest.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { analyze } from '../../../language/core/analysis';
import { compileToOnnx } from '../../../engine/onnx/build';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { exportPytorch } from '../../../engine/torch/export';
import { PYTHON, readIo, relativeError } from '../onnx/oracle';
import { repoRoot } from '../examples';

const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-clip-export-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const text = `
network clip {
  input 4x3x8x8
  conv1 conv(8, kernel=(1, 3, 3), padding=(0, 1, 1))
  stage ibn x2
  pool avgpool
  fc linear(3)
}

block ibn() {
  parts = chunk(input, 2)
  first = parts[0]
  IN instancenorm
  rest = parts[1]
  BN batchnorm
  out = cat(IN, BN)
  smooth = avgpool(out, kernel=(1, 3, 3), stride=1, padding=(0, 1, 1))
  gated = out * sigmoid(channel_mean(smooth))
}
`;

// Builds the exported module, gives it seeded weights and BatchNorm statistics, runs it in eval mode.
const script = `
import sys, torch
sys.path.insert(0, sys.argv[1])
import exported_model, safetensors_file
torch.manual_seed(0)
model = exported_model.build(sys.argv[2]).eval()
with torch.no_grad():
    for name, tensor in model.state_dict().items():
        if tensor.is_floating_point():
            tensor.copy_(torch.rand_like(tensor) + 0.5 if name.endswith(('running_var', 'weight')) else torch.randn_like(tensor) * 0.2)
    x = torch.randn(1, 4, 3, 8, 8)
    safetensors_file.save_file(model.state_dict(), sys.argv[3])
    safetensors_file.save_file({'input': x, 'logits': model(x)}, sys.argv[4])
`;

test('a clip with instance norm, split and a fixed pooling window exports to a module torch runs, with the ONNX logits', async () => {
  const analysis = analyze(text);
  assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
  const network = analysis.networks[0]!;
  const module = join(scratch, 'clip.py');
  writeFileSync(module, exportPytorch(network, 'clip.resnet'));
  const [weights, io] = [join(scratch, 'clip.safetensors'), join(scratch, 'clip.io.safetensors')];
  execFileSync(PYTHON, ['-c', script, join(repoRoot, 'engine', 'torch', 'python'), module, weights, io], { stdio: ['ignore', 'ignore', 'pipe'] });
  const loaded = await loadStateDict(network, weights);
  assert.deepEqual(loaded.problems, []);
  const session = await ort.InferenceSession.create(compileToOnnx(network, loaded.tensors), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const { input, logits } = await readIo(io);
    const output = await session.run({ input: new ort.Tensor('float32', input, [1, ...network.input!]) });
    const error = relativeError(output.logits!.data as Float32Array, logits);
    assert.ok(error < 1e-4, `max error ${error} relative to the largest logit`);
  } finally {
    await session.release();
  }
});
