// Deploying to small devices (prints numbers, passes or fails nothing):
//   node --import tsx tools/bench/deploy.mjs [--runs 30] [--threads 2] [--images 10000]
// - ResNet-50 (random weights), batch 1, CPU EP: the int8 QDQ model's run time against the fp32
//   model's, runs interleaved so both see the same machine load (goal: int8 ≤ 0.6× fp32).
// - The bundled Fashion-MNIST ResNet-20 on the 10,000 test images of Debian's dataset-fashion-mnist,
//   int8 calibrated on 256 training images with each method (and fp16): accuracy, delta against fp32,
//   top-1 agreement and latency ratio, all measured in this run (goal: within 0.5 points, ≥ 99 %).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { analyze } from '../../language/core/analysis.ts';
import { buildModel, compileToOnnx } from '../../engine/onnx/build.ts';
import { CALIBRATION_METHODS } from '../../engine/onnx/calibrate.ts';
import { encodeModel } from '../../engine/onnx/encode.ts';
import { toFloat16 } from '../../engine/onnx/fp16.ts';
import { randomWeights } from '../../engine/onnx/random-weights.ts';
import { loadStateDict } from '../../engine/onnx/state-dict.ts';
import { compareRuns } from '../../engine/runtime/comparison.ts';
import { calibrationImages, deployModel } from '../../engine/runtime/deploy-model.ts';
import { walkImages } from '../../engine/runtime/dataset.ts';
import { networkPreprocess } from '../../engine/runtime/network-preprocess.ts';
import { preprocessImageFile } from '../../engine/runtime/preprocess.ts';
import { FASHION_MNIST, writeFashionMnist } from '../../test/unit/deploy/fashion-mnist.ts';
import { numberArgument } from './arguments.mjs';

const RUNS = numberArgument('--runs', 30);
const THREADS = numberArgument('--threads', 2);
const IMAGES = numberArgument('--images', 10000);
const root = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-bench-deploy-'));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const session = (bytes) =>
  ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: THREADS,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
const networkOf = (file) => analyze(readFileSync(join(root, file), 'utf8')).networks[0];

async function timedRun(s, tensor) {
  const start = performance.now();
  const output = await s.run({ input: tensor });
  return { ms: performance.now() - start, logits: output.logits.data };
}

async function resnet50() {
  const network = networkOf('examples/resnet50.resnet');
  const weights = randomWeights(network, 0).tensors;
  // Calibration images: smooth colour fields with noise, preprocessed as ImageNet photos are.
  const folder = join(scratch, 'calibration');
  mkdirSync(folder);
  for (let i = 0; i < 16; i++) {
    const pixels = Buffer.alloc(320 * 240 * 3).map((_, k) => (((k % 960) * (i + 1)) / 4 + ((k * 7919) % 61)) % 256);
    await sharp(pixels, { raw: { width: 320, height: 240, channels: 3 } }).jpeg().toFile(join(folder, `${i}.jpg`));
  }
  const images = await calibrationImages(folder);
  const int8 = encodeModel(await deployModel(network, weights, {}, { precision: 'int8', images, method: 'minmax', activations: 'uint8' }));
  const fp32 = compileToOnnx(network, weights);
  const [fp32Session, int8Session] = [await session(fp32), await session(int8)];
  const prepared = await preprocessImageFile(images[0], networkPreprocess(network), network.input);
  const tensor = new ort.Tensor('float32', prepared.data, prepared.dims);
  for (let i = 0; i < 3; i++) {
    await timedRun(fp32Session, tensor);
    await timedRun(int8Session, tensor);
  }
  const times = { fp32: [], int8: [] };
  for (let i = 0; i < RUNS; i++) {
    // Alternate which goes first, so neither always runs on a cache the other warmed.
    const order = i % 2 ? ['fp32', 'int8'] : ['int8', 'fp32'];
    for (const which of order) times[which].push((await timedRun(which === 'fp32' ? fp32Session : int8Session, tensor)).ms);
  }
  const [f, q] = [median(times.fp32), median(times.int8)];
  console.log(`ResNet-50, batch 1, CPU EP, ${THREADS} threads, median of ${RUNS} interleaved runs (random weights)`);
  console.log(`  fp32 ${f.toFixed(2)} ms (${(fp32.length / 1e6).toFixed(1)} MB), int8 ${q.toFixed(2)} ms (${(int8.length / 1e6).toFixed(1)} MB): latency ratio ${(q / f).toFixed(3)} (goal ≤ 0.6)`);
  await fp32Session.release();
  await int8Session.release();
}

async function fashion() {
  const file = 'examples/fashion-mnist/resnet20.resnet';
  const network = networkOf(file);
  const weights = (await loadStateDict(network, join(root, 'examples/fashion-mnist/resnet20.safetensors'))).tensors;
  const calibration = join(scratch, 'fashion-train');
  const test = join(scratch, 'fashion-test');
  await writeFashionMnist('train', calibration, 1000);
  await writeFashionMnist('t10k', test, IMAGES);
  const paths = await walkImages(test);
  const targets = paths.map((p) => Number(/_(\d+)\.png$/.exec(p)[1]));
  // Preprocessed once, by the worker's code path; every model then runs the same tensors.
  const spec = networkPreprocess(network);
  const tensors = [];
  for (const path of paths) {
    const prepared = await preprocessImageFile(path, spec, network.input);
    tensors.push(new ort.Tensor('float32', prepared.data, prepared.dims));
  }
  const images = await calibrationImages(calibration);
  const models = { fp32: compileToOnnx(network, weights), fp16: encodeModel(toFloat16(buildModel(network, weights))) };
  for (const method of CALIBRATION_METHODS) {
    models[`int8 ${method}`] = encodeModel(await deployModel(network, weights, {}, { precision: 'int8', images, method, activations: 'uint8' }));
  }
  const sessions = Object.fromEntries(await Promise.all(Object.entries(models).map(async ([name, bytes]) => [name, await session(bytes)])));
  const outputs = Object.fromEntries(Object.keys(models).map((name) => [name, []]));
  // Image by image, every model in turn (rotating the order), so the latency ratios share the load.
  const names = Object.keys(models);
  for (const [i, tensor] of tensors.entries()) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const { ms, logits } = await timedRun(sessions[name], tensor);
      outputs[name].push({ label: paths[i], logits: new Float32Array(logits), timings: { decodeMs: 0, preprocessMs: 0, runMs: ms } });
    }
  }
  const run = (name) => ({ outputs: outputs[name], first: { precision: name.split(' ')[0] }, seconds: 0 });
  console.log(`\nFashion-MNIST ResNet-20 on ${paths.length} test images (Debian's dataset-fashion-mnist), int8 calibrated on ${images.length} training images, CPU EP, ${THREADS} threads`);
  for (const name of names.filter((n) => n !== 'fp32')) {
    const c = compareRuns(targets, run(name), run('fp32'), 'resnet20.safetensors');
    const accuracy = c.reference.accuracy + c.accuracyDelta;
    console.log(
      `  ${name.padEnd(16)} accuracy ${(100 * accuracy).toFixed(2)} % (fp32 ${(100 * c.reference.accuracy).toFixed(2)} %, delta ${(100 * c.accuracyDelta).toFixed(2)} points), ` +
        `top-1 agreement ${(100 * c.agreement).toFixed(2)} %, run ${c.runMsPerImage.toFixed(3)} ms vs ${c.reference.runMsPerImage.toFixed(3)} ms: ratio ${c.latencyRatio.toFixed(3)}`,
    );
  }
  console.log('  goals: int8 within 0.5 points of fp32, agreement ≥ 99 %; fp16 is for GPU providers (on the CPU onnxruntime casts most of it back to float32)');
  for (const s of Object.values(sessions)) await s.release();
}

try {
  await resnet50();
  if (existsSync(FASHION_MNIST)) await fashion();
  else console.log(`\nFashion-MNIST: ${FASHION_MNIST} is missing (apt install dataset-fashion-mnist); skipped`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
