// Models for small devices: BatchNorm folding, int8 QDQ quantization with each calibration method,
// fp16, and running them with `infer|eval --model`. The bundled Fashion-MNIST ResNet-20 with its
// trained weights, calibrated on Debian's training images and checked on its test images; onnx's
// checker (python3-onnx) for the files; onnxruntime's fp32 run of the same network as the reference.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import * as evalCommand from '../../../cli/commands/eval';
import * as exportCommand from '../../../cli/commands/export';
import * as inferCommand from '../../../cli/commands/infer';
import { buildModel } from '../../../engine/onnx/build';
import { CALIBRATION_METHODS, rangeCollector } from '../../../engine/onnx/calibrate';
import { encodeModel } from '../../../engine/onnx/encode';
import { fromHalfBits, toFloat16, toHalfBits } from '../../../engine/onnx/fp16';
import { floatsOf, type OnnxModel } from '../../../engine/onnx/onnx-model';
import { DataType, ModelProto } from '../../../engine/onnx/proto';
import { randomWeights } from '../../../engine/onnx/random-weights';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { calibrationImages, deployModel } from '../../../engine/runtime/deploy-model';
import { walkImages } from '../../../engine/runtime/dataset';
import { networkPreprocess } from '../../../engine/runtime/network-preprocess';
import { preprocessImageFile } from '../../../engine/runtime/preprocess';
import type { EvaluationResult, InferenceResult } from '../../../contracts/inference-result';
import { analyzeFile, EXAMPLES, exampleFile, exampleNetwork, ZEROPAD_MIX } from '../onnx/example-networks';
import { PYTHON } from '../onnx/oracle';
import { writeFashionMnist } from './fashion-mnist';

const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-deploy-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const FASHION = exampleFile('fashion_resnet20');
const network = exampleNetwork('fashion_resnet20');
const calibrationFolder = join(scratch, 'train');
const testFolder = join(scratch, 'test');
let weights: Map<string, Float32Array>;
let tensors: ort.Tensor[];
let targets: number[];

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
}

before(async () => {
  weights = (await loadStateDict(network, join(EXAMPLES, 'fashion-mnist/resnet20.safetensors'))).tensors;
  await writeFashionMnist('train', calibrationFolder, 300);
  await writeFashionMnist('t10k', testFolder, 500);
  const paths = await walkImages(testFolder);
  targets = paths.map((p) => Number(/_(\d+)\.png$/.exec(p)![1]));
  tensors = [];
  for (const path of paths) {
    const prepared = await preprocessImageFile(path, networkPreprocess(network), network.input!);
    tensors.push(new ort.Tensor('float32', prepared.data, prepared.dims));
  }
});

async function logitsOf(model: OnnxModel | Uint8Array): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(model instanceof Uint8Array ? model : encodeModel(model), { executionProviders: ['cpu'] });
  try {
    const logits: Float32Array[] = [];
    for (const tensor of tensors) logits.push(new Float32Array((await session.run({ input: tensor })).logits!.data as Float32Array));
    return logits;
  } finally {
    await session.release();
  }
}

const argmax = (values: Float32Array) => values.indexOf(Math.max(...values));

async function int8(method: (typeof CALIBRATION_METHODS)[number], activations: 'uint8' | 'int8' = 'uint8'): Promise<OnnxModel> {
  const images = await calibrationImages(calibrationFolder, 32);
  assert.ok(Array.isArray(images));
  return deployModel(network, weights, {}, { precision: 'int8', images, method, activations });
}

test('int8 models pass onnx.checker with full shape inference, for every calibration, activation type and layer kind', async () => {
  const paths: string[] = [];
  const write = (name: string, model: OnnxModel) => {
    const path = join(scratch, `${name}.onnx`);
    writeFileSync(path, encodeModel(model));
    paths.push(path);
  };
  for (const method of CALIBRATION_METHODS) write(`fashion-${method}`, await int8(method));
  write('fashion-int8-activations', await int8('minmax', 'int8'));
  write('fashion-fp16', toFloat16(buildModel(network, weights)));
  // Relu6 (Clip), ceil-mode max pooling, zero-padded shortcuts, LeakyRelu, SE (Sigmoid, Mul),
  // adaptive average pooling (MatMul), a Sigmoid output, and pre-activation BatchNorm that no conv
  // precedes; random weights, calibrated on RGB images of each network's input size. onnxruntime
  // must run them too.
  for (const other of [...analyzeFile(ZEROPAD_MIX), exampleNetwork('preact_resnet18')]) {
    const [, height, width] = other.input!;
    const images: string[] = [];
    for (let seed = 0; seed < 3; seed++) {
      const pixels = Buffer.alloc(height! * width! * 3).map((_, i) => (i * (seed * 37 + 11) + seed * 101) % 256);
      const path = join(scratch, `${other.name}-${seed}.png`);
      await sharp(pixels, { raw: { width: width!, height: height!, channels: 3 } }).png().toFile(path);
      images.push(path);
    }
    const model = await deployModel(other, randomWeights(other, 1).tensors, {}, { precision: 'int8', images, method: 'minmax', activations: 'uint8' });
    write(other.name, model);
    const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'] });
    const output = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * height! * width!).fill(0.5), [1, 3, height!, width!]) });
    assert.ok((output.logits!.data as Float32Array).every(Number.isFinite));
    await session.release();
  }
  const script = [
    'import sys, onnx',
    'for path in sys.argv[1:]:',
    '    model = onnx.load(path)',
    '    onnx.checker.check_model(model, full_check=True)',
    '    ops = {n.op_type for n in model.graph.node}',
    "    print(model.graph.input[0].name, model.graph.output[0].name, 'QuantizeLinear' in ops, 'Cast' in ops)",
  ].join('\n');
  const printed = execFileSync(PYTHON, ['-c', script, ...paths], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(
    printed,
    paths.map((p) => `input logits ${!p.endsWith('fp16.onnx') ? 'True' : 'False'} ${p.endsWith('fp16.onnx') ? 'True' : 'False'}`),
  );
});

test("onnxruntime's CPU provider fuses every QDQ group of the int8 ResNet-20 into an integer kernel", async () => {
  const path = join(scratch, 'fused.onnx');
  const session = await ort.InferenceSession.create(encodeModel(await int8('minmax')), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'extended',
    optimizedModelFilePath: path,
    logSeverityLevel: 3,
  });
  await session.release();
  const optimized = ModelProto.decode(readFileSync(path)) as unknown as { graph: { node: { op_type: string }[] } };
  const counts: Record<string, number> = {};
  for (const n of optimized.graph.node) counts[n.op_type] = (counts[n.op_type] ?? 0) + 1;
  // Conv+ReLU → QLinearConv, Add+ReLU → QLinearAdd, the pool, the fc with float logits → QGemm; the
  // only QuantizeLinear left is the input's.
  assert.deepEqual(counts, { QuantizeLinear: 1, QLinearConv: 21, QLinearAdd: 9, QLinearGlobalAveragePool: 1, Flatten: 1, QGemm: 1 });
});

test('dequantized weights and biases are within half a quantization step of the folded fp32 ones', async () => {
  const folded = buildModel(network, weights);
  const float = new Map(folded.graph.initializer.map((t) => [t.name, floatsOf(t)]));
  const model = await int8('minmax');
  const initializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  let checked = 0;
  for (const dq of model.graph.node.filter((n) => n.op_type === 'DequantizeLinear')) {
    const stored = initializers.get(dq.input[0]!);
    if (!stored) continue; // an activation's pair
    const original = float.get(stored.name.replace(/_quantized$/, ''))!;
    const scales = floatsOf(initializers.get(dq.input[1]!)!);
    const raw = stored.raw_data;
    const values = stored.data_type === DataType.INT8 ? new Int8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) : new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const perChannel = values.length / scales.length;
    for (let i = 0; i < values.length; i++) {
      const scale = scales[Math.floor(i / perChannel)]!;
      assert.ok(Math.abs(values[i]! * scale - original[i]!) <= scale / 2 + 1e-7, `${stored.name}[${i}]: ${values[i]! * scale} vs ${original[i]}`);
    }
    if (stored.data_type === DataType.INT8) assert.ok(values.every((v) => v >= -127 && v <= 127), 'symmetric int8 weights');
    checked++;
  }
  assert.equal(checked, 44, '21 conv weights and biases, the fc weight and bias');
});

test('int8 agrees with fp32 on Fashion-MNIST test images, with each calibration', async () => {
  const reference = (await logitsOf(buildModel(network, weights))).map(argmax);
  const correct = (predicted: number[]) => predicted.filter((p, i) => p === targets[i]).length / targets.length;
  for (const method of CALIBRATION_METHODS) {
    const predicted = (await logitsOf(await int8(method))).map(argmax);
    const agreement = predicted.filter((p, i) => p === reference[i]).length / predicted.length;
    // minmax and percentile meet the goal here; entropy clips more (docs/deploy.md).
    const [minimum, points] = method === 'entropy' ? [0.9, 3] : [0.98, 1];
    assert.ok(agreement >= minimum, `${method}: top-1 agreement ${agreement}`);
    assert.ok(Math.abs(correct(predicted) - correct(reference)) * 100 <= points, `${method}: accuracy ${correct(predicted)} vs ${correct(reference)}`);
  }
});

test('fp16 keeps float32 input and logits, and its logits are close to fp32', async () => {
  const model = toFloat16(buildModel(network, weights));
  assert.ok(model.graph.initializer.every((t) => t.data_type === DataType.FLOAT16 || t.data_type === DataType.INT64));
  const [half, full] = [await logitsOf(model), await logitsOf(buildModel(network, weights))];
  for (const [i, logits] of half.entries()) {
    assert.equal(argmax(logits), argmax(full[i]!), `image ${i}`);
    for (const [k, v] of logits.entries()) assert.ok(Math.abs(v - full[i]![k]!) < 0.05 + 0.01 * Math.abs(full[i]![k]!), `image ${i} logit ${k}: ${v} vs ${full[i]![k]}`);
  }
});

test('float16 conversion rounds to nearest even, saturates to infinity and keeps subnormals', () => {
  const cases: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000],
    [1 + 2 ** -11, 0x3c00],
    [1 + 3 * 2 ** -11, 0x3c02],
    [0.1, 0x2e66],
    [-Infinity, 0xfc00],
  ];
  for (const [value, bits] of cases) assert.equal(toHalfBits(value), bits, `${value}`);
  assert.equal(fromHalfBits(0x2e66), 0.0999755859375);
  assert.ok(Number.isNaN(fromHalfBits(toHalfBits(NaN))));
});

test('calibrators: minmax takes the extremes, percentile and entropy clip rare outliers', () => {
  const values = Float32Array.from({ length: 200_000 }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  values[17] = 40;
  const ranges = Object.fromEntries(
    CALIBRATION_METHODS.map((method) => {
      const collector = rangeCollector(method);
      collector.add(values.subarray(0, 100_000));
      collector.add(values.subarray(100_000));
      return [method, collector.range()];
    }),
  );
  assert.deepEqual(ranges.minmax, { min: -0.5, max: 40 });
  // Entropy's narrowest window is 128 of the histogram's 2048 bins over ±40, so ±2.5 at least.
  for (const method of ['percentile', 'entropy']) {
    assert.ok(ranges[method]!.max < 5 && ranges[method]!.max >= 0.45, `${method}: ${JSON.stringify(ranges[method])}`);
    assert.ok(ranges[method]!.min <= -0.45 && ranges[method]!.min >= -0.5, `${method}: ${JSON.stringify(ranges[method])}`);
  }
});

test('export --quantize int8 and --fp16 write models that infer and eval --model run, saying their precision', async () => {
  const int8Path = join(scratch, 'cli-int8.onnx');
  const fp16Path = join(scratch, 'cli-fp16.onnx');
  let c = io();
  assert.equal(await exportCommand.run([FASHION, '-o', int8Path, '--quantize', 'int8', '--calibrate', calibrationFolder, '--calibration', 'percentile', '--calibration-images', '64'], c.io), 0, c.out.stderr);
  assert.match(c.out.stdout, /int8 QDQ \(per-channel int8 weights, uint8 activations calibrated by percentile on 64 images\)/);
  c = io();
  assert.equal(await exportCommand.run([FASHION, '-o', fp16Path, '--fp16'], c.io), 0, c.out.stderr);

  const image = (await walkImages(testFolder))[0]!;
  c = io();
  assert.equal(await inferCommand.run([FASHION, image, '--model', fp16Path, '--json'], c.io), 0, c.out.stderr);
  const inferred = JSON.parse(c.out.stdout) as InferenceResult;
  assert.equal(inferred.precision, 'fp16');
  assert.equal(inferred.weights.source, fp16Path);
  assert.equal(inferred.results[0]!.top![0]!.label, 'Ankle boot', 'the labels come from the .resnet file');

  c = io();
  assert.equal(await evalCommand.run([FASHION, testFolder, '--model', int8Path, '--compare', '--json'], c.io), 0, c.out.stderr);
  const evaluated = JSON.parse(c.out.stdout) as EvaluationResult;
  assert.equal(evaluated.precision, 'int8');
  assert.equal(evaluated.total, 500);
  const comparison = evaluated.comparison!;
  assert.equal(comparison.reference.precision, 'fp32');
  assert.ok(comparison.agreement! >= 0.98, `agreement ${comparison.agreement}`);
  assert.ok(Math.abs(comparison.accuracyDelta! - (evaluated.accuracy! - comparison.reference.accuracy!)) < 1e-12);
  assert.ok(comparison.latencyRatio! > 0);

  // --weights with --compare are the reference's weights (docs/deploy.md).
  const copied = join(scratch, 'reference.safetensors');
  writeFileSync(copied, readFileSync(join(EXAMPLES, 'fashion-mnist/resnet20.safetensors')));
  c = io();
  assert.equal(await evalCommand.run([FASHION, testFolder, '--model', int8Path, '--compare', '--weights', copied, '--json'], c.io), 0, c.out.stderr);
  const againstCopy = JSON.parse(c.out.stdout) as EvaluationResult;
  assert.equal(againstCopy.comparison!.reference.weights, copied);
  assert.equal(againstCopy.comparison!.reference.accuracy, comparison.reference.accuracy);
  assert.equal(againstCopy.weights.source, int8Path);
  c = io();
  assert.equal(await evalCommand.run([FASHION, testFolder, '--model', int8Path, '--weights', copied], c.io), 2, 'without --compare, --weights has nothing to apply to');

  c = io();
  assert.equal(await evalCommand.run([FASHION, testFolder, '--model', int8Path], c.io), 0, c.out.stderr);
  assert.match(c.out.stdout, /^network fashion_resnet20 \(int8\); weights exported int8 model /);
});

test('a model that does not fit the network, or bad deploy options, get a clear message', async () => {
  const model = join(scratch, 'fits-not.onnx');
  const resnet18 = exampleNetwork('resnet18');
  writeFileSync(model, encodeModel(buildModel(resnet18, randomWeights(resnet18).tensors)));
  const image = (await walkImages(testFolder))[0]!;
  let c = io();
  assert.equal(await inferCommand.run([FASHION, image, '--model', model], c.io), 1);
  assert.match(c.out.stderr, /fits-not\.onnx takes input \[batch, 3, 224, 224\] but network fashion_resnet20 takes \[batch, 1, 28, 28\]/);
  c = io();
  assert.equal(await inferCommand.run([FASHION, image, '--model', join(scratch, 'missing.onnx')], c.io), 1);
  assert.match(c.out.stderr, /cannot read the model file .*missing\.onnx/);

  const usage: [string[], RegExp][] = [
    [['--quantize', 'int8'], /--quantize int8 needs --calibrate DIR/],
    [['--calibrate', calibrationFolder], /--calibrate applies to --quantize int8, which is not given/],
    [['--quantize', 'int4', '--calibrate', calibrationFolder], /--quantize takes int8, not 'int4'/],
    [['--fp16', '--quantize', 'int8', '--calibrate', calibrationFolder], /exclude each other/],
    [['--quantize', 'int8', '--calibrate', calibrationFolder, '--calibration', 'kl'], /--calibration must be one of minmax, percentile, entropy/],
  ];
  for (const [args, message] of usage) {
    c = io();
    assert.equal(await exportCommand.run([FASHION, '-o', join(scratch, 'x.onnx'), ...args], c.io), 2);
    assert.match(c.out.stderr, message);
  }
  c = io();
  assert.equal(await exportCommand.run([FASHION, '-o', join(scratch, 'x.onnx'), '--quantize', 'int8', '--calibrate', join(scratch, 'nowhere')], c.io), 1);
  assert.match(c.out.stderr, /cannot read the calibration folder .*nowhere: ENOENT/);
  // Calibration reads single images: a clip network is refused before any image is read as a clip.
  c = io();
  assert.equal(await exportCommand.run([exampleFile('r3d_18'), '-o', join(scratch, 'x.onnx'), '--random-weights', '--quantize', 'int8', '--calibrate', calibrationFolder], c.io), 2);
  assert.match(c.out.stderr, /--quantize int8 calibrates on single images, and network r3d_18 takes clips \(C×T×H×W\): a clip network cannot be quantized yet \(--fp16 can export it\)/);
  c = io();
  assert.equal(await evalCommand.run([FASHION, testFolder, '--compare'], c.io), 2);
  assert.match(c.out.stderr, /--compare compares an exported model/);
});
