// The compiled ONNX models of the networks with named values against their torch references:
// weights written by torch load through our safetensors reader, onnxruntime's CPU EP gives torch's
// logits within 1e-4 of the largest, the models pass onnx.checker's full check, and the PyTorch
// export of each builds a module whose state_dict has exactly the file's keys and shapes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { analyze } from '../../../language/core/analysis';
import type { Network } from '../../../language/core/model';
import { allNodes } from '../../../language/core/walk';
import { compileToOnnx } from '../../../engine/onnx/build';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { exportPytorch } from '../../../engine/torch/export';
import { readIo, relativeError, topK } from '../onnx/oracle';
import { repoRoot } from '../examples';
import { PYTHON, referenceLogits } from './oracle';

const MODELS = ['densenet121', 'cbam_resnet50', 'resnet50_ibn_a', 'res2net50_26w_4s', 'wrn28_10'];
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-dataflow-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function network(name: string): Network {
  const analysis = analyze(readFileSync(join(repoRoot, 'examples', `${name}.resnet`), 'utf8'));
  assert.deepEqual(analysis.diagnostics.map((d) => d.message), []);
  return analysis.networks[0];
}

const folder = referenceLogits(MODELS);

for (const name of MODELS) {
  test(`${name}: ONNX logits equal torch's, the model passes onnx.checker, the PyTorch export has the file's keys`, async () => {
    const net = network(name);
    const weights = await loadStateDict(net, join(folder, `${name}.safetensors`));
    assert.deepEqual(weights.problems, []);
    const bytes = compileToOnnx(net, weights.tensors);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
    try {
      const { input, logits: expected } = await readIo(join(folder, `${name}.io.safetensors`));
      const output = await session.run({ input: new ort.Tensor('float32', input, [1, ...net.input!]) });
      const actual = output.logits!.data as Float32Array;
      const error = relativeError(actual, expected);
      assert.ok(error < 1e-4, `${name}: max error ${error} relative to the largest logit`);
      assert.deepEqual(topK(actual, 5), topK(expected, 5));
    } finally {
      await session.release();
    }
    const onnxPath = join(scratch, `${name}.onnx`);
    writeFileSync(onnxPath, bytes);
    const modulePath = join(scratch, `${name}.py`);
    writeFileSync(modulePath, exportPytorch(net, `${name}.resnet`));
    const script = [
      'import importlib.util, json, sys, onnx, torch',
      'onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)',
      'spec = importlib.util.spec_from_file_location("exported", sys.argv[2])',
      'module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)',
      'model = module.build().eval()',
      'with torch.no_grad(): out = model(torch.zeros(1, *json.loads(sys.argv[3])))',
      'print(json.dumps({"keys": {k: list(v.shape) for k, v in model.state_dict().items()}, "output": list(out.shape)}))',
    ].join('\n');
    const printed = JSON.parse(execFileSync(PYTHON, ['-c', script, onnxPath, modulePath, JSON.stringify(net.input)], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    const keys = Object.fromEntries([...allNodes(net.children)].flatMap((n) => (n.kind === 'layer' ? n.weights.map((w) => [w.key, w.shape]) : [])));
    assert.deepEqual(printed.keys, keys);
    assert.deepEqual(printed.output, net.outputShape);
  });
}
