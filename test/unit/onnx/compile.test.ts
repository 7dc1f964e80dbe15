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

const MODELS = [...TORCHVISION_NAMES, 'resnet50_dilated', 'fashion_resnet20', 'cifar_resnet20', 'zeropad_mix', 'r3d_18', 'r2plus1d_18'];
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
  const files = ['fashion-mnist/resnet20', 'cifar_resnet20', 'preact_resnet18', 'inverted_residual', 'darknet53', 'r3d_18', 'mc3_18', 'r2plus1d_18'];
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
  const model = buildModel(network, randomWeights(network).tensors, {}, { keepBatchnorm: true });
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
  const bytes = compileToOnnx(network, weights.tensors, {}, { keepBatchnorm: true });
  const values = [...weights.tensors.values()].reduce((s, t) => s + t.length, 0);
  // Every float32 value once, plus a little structure.
  assert.ok(bytes.length > values * 4 && bytes.length < values * 4 + 200_000, `${bytes.length} bytes`);
});

test('what cannot be exported is a CompileError naming the layer', () => {
  const unknown = exampleNetwork('fashion_resnet20');
  const fc = unknown.children[unknown.children.length - 1]!;
  fc.inputShape = undefined;
  assert.throws(() => compileToOnnx(unknown, randomWeights(unknown).tensors), /shape of layer fc \(linear\) is unknown/);

  const missing = exampleNetwork('fashion_resnet20');
  const partial = randomWeights(missing).tensors;
  partial.delete('layer3.2.bn2.running_var');
  assert.throws(
    () => compileToOnnx(missing, partial),
    (e: unknown) => e instanceof CompileError && /no weights for layer3\.2\.bn2\.running_var/.test(e.message) && e.range !== undefined,
  );
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

/** Compiles one pooling layer on a 1×1×H×W image or 1×1×T×H×W clip (`size`), checks the model with onnx's full check, and runs it on 0, 1, 2, … */
async function runPool(layer: string, size: readonly number[], name: string): Promise<number[]> {
  const analysis = analyze(`network pool {\n  input 1x${size.join('x')}\n  pool ${layer}\n  flatten flatten\n}\n`);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), [], layer);
  const bytes = compileToOnnx(analysis.networks[0]!, new Map());
  const path = join(scratch, `${name}.onnx`);
  writeFileSync(path, bytes);
  execFileSync(PYTHON, ['-c', 'import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path]);
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 2 });
  const count = size.reduce((a, b) => a * b, 1);
  const output = await session.run({ input: new ort.Tensor('float32', new Float32Array(count).map((_, j) => j), [1, 1, ...size]) });
  await session.release();
  return Array.from(output.logits!.data as Float32Array);
}

/** torch's output for each [size, call]: `call` is an expression (F is torch.nn.functional) on x = 0, 1, 2, … shaped 1×1×size. */
const torchPools = (cases: [readonly number[], string][]) =>
  JSON.parse(
    execFileSync(
      PYTHON,
      [
        '-c',
        [
          'import json, math, sys, torch',
          'from torch.nn import functional as F',
          'out = []',
          'for size, call in json.loads(sys.argv[1]):',
          '    x = torch.arange(math.prod(size), dtype=torch.float32).reshape(1, 1, *size)',
          '    out.append(eval(call).flatten().tolist())',
          'print(json.dumps(out))',
        ].join('\n'),
        JSON.stringify(cases),
      ],
      { encoding: 'utf8' },
    ),
  ) as number[][];

/** Equal within 1e-5, relative to the value where it exceeds 1. */
function assertClose(actual: number[], expected: number[], message: string): void {
  assert.equal(actual.length, expected.length, message);
  actual.forEach((v, j) => assert.ok(Math.abs(v - expected[j]!) <= 1e-5 * Math.max(1, Math.abs(expected[j]!)), `${message}: ${v} vs ${expected[j]}`));
}

test('ceil-mode and dilated maxpool match torch where ONNX shape inference and PyTorch disagree', async () => {
  // [height, width, kernel, stride, padding, dilation]; the dilated ones need end padding beyond the kernel.
  const cases = [
    [6, 6, 1, 4, 0, 1],
    [7, 7, 3, 2, 1, 1],
    [5, 5, 2, 2, 1, 1],
    [8, 8, 3, 3, 1, 1],
    [9, 9, 2, 2, 0, 1],
    [8, 8, 2, 3, 0, 3],
    [8, 7, 2, 3, 1, 3],
    [11, 6, 3, 4, 1, 4],
  ] as const;
  const expected = torchPools(cases.map(([h, w, kernel, stride, padding, dilation]) => [[h, w], `F.max_pool2d(x, ${kernel}, ${stride}, ${padding}, ${dilation}, ceil_mode=True)`]));
  for (const [i, [height, width, kernel, stride, padding, dilation]] of cases.entries()) {
    const actual = await runPool(`maxpool(kernel=${kernel}, stride=${stride}, padding=${padding}, dilation=${dilation}, ceil=true)`, [height, width], `max${i}`);
    assert.deepEqual(actual, expected[i], `case ${cases[i]}`);
  }
});

test('adaptive avgpool matches torch on sizes that are not a multiple of the output', async () => {
  // [height, width, output]
  const cases = [
    [10, 10, 3],
    [7, 5, 4],
    [13, 6, 5],
    [3, 9, 2],
    [8, 8, 4],
  ] as const;
  const expected = torchPools(cases.map(([h, w, output]) => [[h, w], `F.adaptive_avg_pool2d(x, ${output})`]));
  for (const [i, [height, width, output]] of cases.entries()) {
    const actual = await runPool(`avgpool(output=${output})`, [height, width], `avg${i}`);
    assertClose(actual, expected[i]!, `case ${cases[i]}`);
  }
});

test('3-D max and adaptive average pooling with per-axis windows match torch', async () => {
  // [size T×H×W, our layer, torch's call on x]
  const cases: [number[], string, string][] = [
    [[5, 7, 7], 'maxpool(kernel=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))', 'max_pool3d(x, (1, 3, 3), (1, 2, 2), (0, 1, 1))'],
    [[6, 7, 8], 'maxpool(kernel=(2, 3, 2), stride=(2, 2, 3), padding=(1, 1, 0), ceil=true)', 'max_pool3d(x, (2, 3, 2), (2, 2, 3), (1, 1, 0), ceil_mode=True)'],
    [[7, 9, 9], 'maxpool(kernel=2, stride=3, dilation=(1, 3, 3), ceil=true)', 'max_pool3d(x, 2, 3, 0, (1, 3, 3), ceil_mode=True)'],
    [[5, 10, 7], 'avgpool(output=(2, 3, 4))', 'adaptive_avg_pool3d(x, (2, 3, 4))'],
    [[6, 8, 8], 'avgpool(output=(3, 2, 4))', 'adaptive_avg_pool3d(x, (3, 2, 4))'],
    [[4, 7, 7], 'avgpool', 'adaptive_avg_pool3d(x, 1)'],
  ];
  const expected = torchPools(cases.map(([size, , call]) => [size, `F.${call}`]));
  for (const [i, [size, layer]] of cases.entries()) {
    const actual = await runPool(layer, size, `clip${i}`);
    assertClose(actual, expected[i]!, layer);
  }
});
