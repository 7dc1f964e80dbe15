// `export --format pytorch` against torch itself (Debian's /usr/bin/python3): every example's module
// has our params and exactly our state_dict (keys, shapes, dtypes, in order), and with real weights
// its logits equal the compiled ONNX model's on onnxruntime within 1e-4 of the largest logit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as exportCommand from '../../../cli/commands/export';
import type { Network } from '../../../language/core/model';
import { compileToOnnx } from '../../../engine/onnx/build';
import { expectedWeights } from '../../../engine/onnx/network-walk';
import { SafetensorsFile } from '../../../engine/onnx/safetensors';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { preprocessImageFile } from '../../../engine/runtime/preprocess';
import { exportPytorch } from '../../../engine/torch/export';
import { exampleFiles } from '../examples';
import { EXAMPLES, ZEROPAD_MIX, analyzeFile, exampleFile, exampleNetwork } from '../onnx/example-networks';
import { PYTHON, readIo, referenceModels, referenceNetworks, relativeError } from '../onnx/oracle';
import { writeF32Tensors } from '../weights/write-safetensors';

const ORACLE = join(__dirname, '..', '..', 'oracle', 'exported_module.py');
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-torch-export-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function writeModule(network: Network): string {
  const path = join(scratch, `${network.name}.py`);
  writeFileSync(path, exportPytorch(network, 'test.resnet'));
  return path;
}

/** Runs each module in torch (eval mode, weights loaded strictly) on its input; returns the logits files. */
function torchLogits(runs: { module: string; weights: string; input: string }[]): string[] {
  const outputs = runs.map((_, i) => join(scratch, `logits${i}-${Date.now()}.safetensors`));
  execFileSync(PYTHON, [ORACLE, 'run', ...runs.flatMap((r, i) => [r.module, r.weights, r.input, outputs[i]!])], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  return outputs;
}

async function readLogits(path: string): Promise<Float32Array> {
  const file = await SafetensorsFile.open(path);
  try {
    return await file.readFloat32('logits');
  } finally {
    await file.close();
  }
}

async function onnxLogits(network: Network, weights: string, input: Float32Array): Promise<Float32Array> {
  const loaded = await loadStateDict(network, weights);
  assert.deepEqual(loaded.problems, []);
  const session = await ort.InferenceSession.create(compileToOnnx(network, loaded.tensors), { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  try {
    const output = await session.run({ input: new ort.Tensor('float32', input, [1, ...network.input!]) });
    return output.logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

test('every example exports to a module with our params and state_dict', () => {
  const networks = [...exampleFiles, ZEROPAD_MIX].flatMap(analyzeFile);
  const printed = execFileSync(PYTHON, [ORACLE, 'describe', ...networks.map(writeModule)], { encoding: 'utf8', timeout: 300_000 }).trim().split('\n');
  assert.equal(printed.length, networks.length);
  networks.forEach((network, i) => {
    const torch = JSON.parse(printed[i]!) as { params: number; state: [string, number[], string][] };
    assert.equal(BigInt(torch.params), network.params, `${network.name}: params`);
    const ours = [...expectedWeights(network).values()].map(({ spec }) => [spec.key, spec.shape, spec.dtype]);
    // By key: PyTorch lists a container's children together (Res2Net's convs.0 … convs.2 before bns.0),
    // where the file interleaves them in the order it computes them.
    const byKey = (entries: unknown[][]) => [...entries].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(byKey(torch.state), byKey(ours), `${network.name}: state_dict`);
  });
});

test('the bundled Fashion-MNIST weights give the ONNX logits on the bundled images', async () => {
  const network = exampleNetwork('fashion_resnet20');
  const weights = join(EXAMPLES, 'fashion-mnist', 'resnet20.safetensors');
  const images = readdirSync(join(EXAMPLES, 'fashion-mnist', 'images')).map((name) => join(EXAMPLES, 'fashion-mnist', 'images', name));
  const inputs = await Promise.all(images.map(async (path) => (await preprocessImageFile(path, network.preprocess!, network.input!)).data));
  const batch = new Float32Array(inputs.length * inputs[0]!.length);
  inputs.forEach((input, i) => batch.set(input, i * input.length));
  const input = writeF32Tensors(join(scratch, 'fashion-input.safetensors'), { input: { shape: [inputs.length, ...network.input!], values: batch } });
  const [output] = torchLogits([{ module: writeModule(network), weights, input }]);
  const torch = await readLogits(output!);
  const classes = network.outputShape![1]!;
  for (const [i, image] of inputs.entries()) {
    const expected = await onnxLogits(network, weights, image);
    const error = relativeError(torch.subarray(i * classes, (i + 1) * classes), expected);
    assert.ok(error < 1e-4, `${basename(images[i]!)}: max error ${error} relative to the largest logit`);
  }
});

describe('with torch-written weights, the module gives the ONNX logits', () => {
  // Every layer kind and shortcut: basic and bottleneck (resnet18, grouped resnext50), nested blocks,
  // depthwise convs, SE, pre-activation, zeropad, leaky ReLU, ceil-mode pooling, dropout, flatten,
  // 3-D convs with per-axis windows in sequentials inside sequentials (r2plus1d_18).
  const torchvision = ['resnet18', 'resnext50_32x4d', 'r2plus1d_18'];
  const folder = referenceModels(torchvision);
  const files = ['inverted_residual', 'preact_resnet18', 'se_resnet50', 'cifar_resnet20', 'darknet53'].map((f) => join(EXAMPLES, `${f}.resnet`));
  const networks = [...files, ZEROPAD_MIX].flatMap(analyzeFile);
  const references = referenceNetworks(networks);
  const cases = [
    ...torchvision.map((name) => ({ network: exampleNetwork(name), weights: join(folder, `${name}.safetensors`), io: join(folder, `${name}.io.safetensors`) })),
    ...networks.map((network) => ({ network, ...references.get(network.name)! })),
  ];
  const outputs = torchLogits(cases.map((c) => ({ module: writeModule(c.network), weights: c.weights, input: c.io })));
  cases.forEach(({ network, weights, io }, i) =>
    test(network.name, async () => {
      const { input } = await readIo(io);
      const error = relativeError(await readLogits(outputs[i]!), await onnxLogits(network, weights, input));
      assert.ok(error < 1e-4, `${network.name}: max error ${error} relative to the largest logit`);
    }),
  );
});

test('resnet-studio export --format pytorch writes the module; bad options are refused', async () => {
  const run = async (...args: string[]) => {
    const out = { stdout: '', stderr: '' };
    const code = await exportCommand.run(args, { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s) });
    return { code, ...out };
  };
  const output = join(scratch, 'cli.py');
  const ok = await run(exampleFile('fashion_resnet20'), '--format', 'pytorch', '-o', output);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /PyTorch module of network fashion_resnet20 \(272,186 parameters\)/);
  const printed = execFileSync(PYTHON, [ORACLE, 'describe', output], { encoding: 'utf8' });
  assert.equal(JSON.parse(printed).params, 272186);
  // A file without a weights statement exports too: the module holds no weights.
  assert.equal((await run(join(EXAMPLES, 'resnet18.resnet'), '--format=pytorch', '-o', join(scratch, 'r18.py'))).code, 0);
  const format = await run(exampleFile('fashion_resnet20'), '--format', 'keras', '-o', output);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /--format must be one of onnx, pytorch, not 'keras'/);
  const weights = await run(exampleFile('fashion_resnet20'), '--format', 'pytorch', '--random-weights', '-o', output);
  assert.equal(weights.code, 2);
  assert.match(weights.stderr, /the module holds no weights/);
});
