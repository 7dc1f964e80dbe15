// The compiled ONNX model against torchvision itself: for each reference model, the .resnet file is
// analysed, weights written by torch load through our safetensors reader, the model is compiled and
// run on onnxruntime's CPU EP, and must give torch's logits within 1e-4 of the largest logit with
// the same top-5. zeropad_mix.resnet covers the layers no example uses with torch weights.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { analyze } from '../../../language/core/analysis';
import { CompileError, buildModel, compileToOnnx } from '../../../engine/onnx/build';
import { ModelProto } from '../../../engine/onnx/proto';
import { randomWeights } from '../../../engine/onnx/random-weights';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { EXAMPLES, TORCHVISION_NAMES, ZEROPAD_MIX, analyzeFile, exampleNetwork } from './example-networks';
import { PYTHON, readIo, referenceIo, referenceModels, referenceNetworks, relativeError, topK } from './oracle';

const MODELS = [...TORCHVISION_NAMES, 'fashion_resnet20', 'cifar_resnet20', 'zeropad_mix'];
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-compile-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('compiled models match torchvision on the CPU EP', () => {
  const folder = referenceModels(MODELS);
  for (const name of MODELS) {
    test(name, async () => {
      const network = exampleNetwork(name);
      const weights = await loadStateDict(network, join(folder, `${name}.safetensors`));
      assert.deepEqual(weights.problems, []);
      const session = await ort.InferenceSession.create(compileToOnnx(network, weights.tensors), {
        executionProviders: ['cpu'],
        intraOpNumThreads: 2,
      });
      try {
        const { input, logits: expected } = await referenceIo(folder, name);
        const output = await session.run({ input: new ort.Tensor('float32', input, [1, ...network.input!]) });
        const actual = output.logits!.data as Float32Array;
        assert.deepEqual(output.logits!.dims, network.outputShape);
        const error = relativeError(actual, expected);
        assert.ok(error < 1e-4, `${name}: max error ${error} relative to the largest logit`);
        assert.deepEqual(topK(actual, 5), topK(expected, 5));
      } finally {
        await session.release();
      }
    });
  }
});

describe('examples without a torchvision counterpart match torch.nn.functional run over the same Network', () => {
  // Nested blocks (inverted_residual calls inverted), depthwise convs, relu6, SE before the add,
  // pre-activation blocks, zeropad shortcuts.
  const files = ['inverted_residual', 'preact_resnet18', 'se_resnet50', 'cifar_resnet20', 'darknet53'];
  const networks = files.flatMap((file) => analyzeFile(join(EXAMPLES, `${file}.resnet`)));
  const references = referenceNetworks(networks);
  for (const network of networks) {
    test(network.name, async () => {
      const paths = references.get(network.name)!;
      const weights = await loadStateDict(network, paths.weights);
      assert.deepEqual(weights.problems, []);
      const session = await ort.InferenceSession.create(compileToOnnx(network, weights.tensors), { executionProviders: ['cpu'], intraOpNumThreads: 2 });
      try {
        const { input, logits: expected } = await readIo(paths.io);
        const output = await session.run({ input: new ort.Tensor('float32', input, [1, ...network.input!]) });
        const actual = output.logits!.data as Float32Array;
        const error = relativeError(actual, expected);
        assert.ok(error < 1e-4, `${network.name}: max error ${error} relative to the largest logit`);
        assert.deepEqual(topK(actual, 5), topK(expected, 5));
      } finally {
        await session.release();
      }
    });
  }
});

test('exported models pass onnx.checker.check_model with full shape inference', () => {
  // The small examples (every layer kind the examples use) and zeropad_mix.
  const files = ['fashion-mnist/resnet20', 'cifar_resnet20', 'preact_resnet18', 'inverted_residual', 'darknet53'];
  const networks = [...files.map((file) => join(EXAMPLES, `${file}.resnet`)), ZEROPAD_MIX].flatMap(analyzeFile);
  const paths = networks.map((network) => {
    const path = join(scratch, `${network.name}.onnx`);
    writeFileSync(path, compileToOnnx(network, randomWeights(network, 1).tensors));
    return path;
  });
  const script = [
    'import sys, onnx',
    'for path in sys.argv[1:]:',
    '    model = onnx.load(path)',
    '    onnx.checker.check_model(model, full_check=True)',
    '    print(model.ir_version, model.opset_import[0].version, model.graph.input[0].name, model.graph.output[0].name)',
  ].join('\n');
  const printed = execFileSync(PYTHON, ['-c', script, ...paths], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(printed, paths.map(() => '8 17 input logits'));
});

test('node and initializer names are the torchvision keys', () => {
  const network = exampleNetwork('resnet18');
  const model = buildModel(network, randomWeights(network).tensors);
  const nodes = model.graph.node.map((n) => n.name);
  for (const name of ['conv1', 'bn1', 'maxpool', 'layer1.0.conv1', 'layer2.0.downsample.0', 'layer2.0.downsample.1', 'fc']) {
    assert.ok(nodes.includes(name), `node ${name}`);
  }
  const initializers = new Set(model.graph.initializer.map((t) => t.name));
  assert.ok(initializers.has('layer2.0.downsample.1.running_var'));
  assert.ok(initializers.has('fc.bias'));
  assert.equal(model.graph.node.filter((n) => n.op_type === 'Add').length, 8);
  assert.equal(new Set(nodes).size, nodes.length, 'node names are unique');
});

test('ResNet-50 compiles with raw_data initializers', () => {
  const network = exampleNetwork('resnet50');
  const weights = randomWeights(network);
  const bytes = compileToOnnx(network, weights.tensors);
  const values = [...weights.tensors.values()].reduce((s, t) => s + t.length, 0);
  // Every float32 value once, plus a little structure.
  assert.ok(bytes.length > values * 4 && bytes.length < values * 4 + 200_000, `${bytes.length} bytes`);
});

test('what cannot be exported is a CompileError naming the layer', () => {
  const text = 'network pooled {\n  input 3x10x10\n  conv1 conv(4, kernel=1)\n  pool avgpool(output=3)\n}\n';
  const analysis = analyze(text);
  assert.deepEqual(analysis.diagnostics, []);
  const network = analysis.networks[0]!;
  assert.throws(
    () => compileToOnnx(network, randomWeights(network).tensors),
    (e: unknown) =>
      e instanceof CompileError && /unsupported: avgpool\(output=3\) on a 10×10 input/.test(e.message) && e.range?.start === text.indexOf('pool avgpool'),
  );

  const unknown = exampleNetwork('fashion_resnet20');
  const fc = unknown.children[unknown.children.length - 1]!;
  fc.inputShape = undefined;
  assert.throws(() => compileToOnnx(unknown, randomWeights(unknown).tensors), /shape of layer fc \(linear\) is unknown/);

  const missing = exampleNetwork('fashion_resnet20');
  const partial = randomWeights(missing).tensors;
  partial.delete('layer3.2.bn2.running_var');
  assert.throws(() => compileToOnnx(missing, partial), /no weights for layer3\.2\.bn2\.running_var/);
});

test('the spliced encoder writes the same ModelProto as protobufjs would', () => {
  const network = exampleNetwork('zeropad_mix');
  const model = buildModel(network, randomWeights(network, 5).tensors, { weights: 'random (seed 5)' });
  const spliced = compileToOnnx(network, randomWeights(network, 5).tensors, { weights: 'random (seed 5)' });
  const reference = ModelProto.encode(model).finish();
  assert.equal(spliced.length, reference.length);
  const decode = (bytes: Uint8Array) => JSON.stringify(ModelProto.toObject(ModelProto.decode(bytes), { bytes: String, longs: Number }));
  assert.equal(decode(spliced), decode(reference));
});

test('ceil-mode maxpool matches torch where ONNX shape inference and PyTorch disagree', async () => {
  const cases = [
    [6, 1, 4, 0],
    [7, 3, 2, 1],
    [5, 2, 2, 1],
    [8, 3, 3, 1],
    [9, 2, 2, 0],
  ] as const;
  const script = [
    'import json, sys, torch',
    'out = []',
    'for size, k, s, p in json.loads(sys.argv[1]):',
    '    x = torch.arange(size * size, dtype=torch.float32).reshape(1, 1, size, size)',
    '    out.append(torch.nn.functional.max_pool2d(x, k, s, p, ceil_mode=True).flatten().tolist())',
    'print(json.dumps(out))',
  ].join('\n');
  const expected = JSON.parse(execFileSync(PYTHON, ['-c', script, JSON.stringify(cases)], { encoding: 'utf8' })) as number[][];
  for (const [i, [size, kernel, stride, padding]] of cases.entries()) {
    const text = `network pool {\n  input 1x${size}x${size}\n  pool maxpool(kernel=${kernel}, stride=${stride}, padding=${padding}, ceil=true)\n  flatten flatten\n}\n`;
    const network = analyze(text).networks[0]!;
    const bytes = compileToOnnx(network, new Map());
    const path = join(scratch, `pool${i}.onnx`);
    writeFileSync(path, bytes);
    execFileSync(PYTHON, ['-c', 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path]);
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 2 });
    const input = new Float32Array(size * size).map((_, j) => j);
    const output = await session.run({ input: new ort.Tensor('float32', input, [1, 1, size, size]) });
    assert.deepEqual(Array.from(output.logits!.data as Float32Array), expected[i], `case ${[size, kernel, stride, padding]}`);
    await session.release();
  }
});
