// Inference engine benchmark (prints numbers, passes or fails nothing):
//   node --import tsx tools/bench/engine.mjs [--runs 30] [--threads 2]
// ResNet-50, batch 1, CPU EP:
//   - our compiled model vs onnxruntime running torch.onnx.export of torchvision's resnet50
//     (same session options, runs interleaved so both see the same machine load; target ratio <= 1.02)
//   - vs PyTorch eager (Debian's torch, same thread count)
//   - serialisation (Network → ONNX bytes) and session creation times
//   - warm end to end through the worker (image file → top-5) and its overhead over the model run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { analyze } from '../../language/core/analysis.ts';
import { compileToOnnx } from '../../engine/onnx/build.ts';
import { randomWeights } from '../../engine/onnx/random-weights.ts';
import { InferenceClient } from '../../engine/runtime/client.ts';

const argument = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = argument('--runs', 30);
const THREADS = argument('--threads', 2);
const PYTHON = '/usr/bin/python3';
const root = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-bench-'));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const fmt = (ms) => `${ms.toFixed(2)} ms`;

function sessionOptions() {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: THREADS,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

try {
  console.log(`ResNet-50, batch 1, CPU EP, ${THREADS} intra-op threads, median of ${RUNS} runs`);

  const network = analyze(readFileSync(join(root, 'examples/resnet50.resnet'), 'utf8')).networks[0];
  const weights = randomWeights(network, 0);
  let start = performance.now();
  const ours = compileToOnnx(network, weights.tensors);
  const serialiseMs = performance.now() - start;
  console.log(`serialise Network → ONNX: ${fmt(serialiseMs)} (${(ours.length / 1e6).toFixed(1)} MB)`);

  const torchOnnx = join(scratch, 'torch_resnet50.onnx');
  const python = `
import sys, time, torch, torchvision
torch.set_num_threads(${THREADS})
model = torchvision.models.resnet50(weights=None).eval()
x = torch.randn(1, 3, 224, 224)
torch.onnx.export(model, x, sys.argv[1], opset_version=17, input_names=['input'], output_names=['logits'])
with torch.no_grad():
    for _ in range(5):
        model(x)
    times = []
    for _ in range(${RUNS}):
        t = time.perf_counter(); model(x); times.append((time.perf_counter() - t) * 1000)
times.sort()
print(times[len(times) // 2])
`;
  const eagerMs = Number(execFileSync(PYTHON, ['-c', python, torchOnnx], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());

  start = performance.now();
  const oursSession = await ort.InferenceSession.create(ours, sessionOptions());
  const oursCreateMs = performance.now() - start;
  start = performance.now();
  const torchSession = await ort.InferenceSession.create(torchOnnx, sessionOptions());
  const torchCreateMs = performance.now() - start;
  console.log(`session creation: ours ${fmt(oursCreateMs)}, torch.onnx.export ${fmt(torchCreateMs)}`);

  const input = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i)), [1, 3, 224, 224]);
  const time = async (session) => {
    const t = performance.now();
    await session.run({ input });
    return performance.now() - t;
  };
  for (let i = 0; i < 3; i++) {
    await time(oursSession);
    await time(torchSession);
  }
  const oursTimes = [];
  const torchTimes = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate the order so neither model always runs right after the other.
    if (i % 2 === 0) {
      oursTimes.push(await time(oursSession));
      torchTimes.push(await time(torchSession));
    } else {
      torchTimes.push(await time(torchSession));
      oursTimes.push(await time(oursSession));
    }
  }
  const oursMs = median(oursTimes);
  const torchMs = median(torchTimes);
  console.log(`run: ours ${fmt(oursMs)}, torch.onnx.export in ORT ${fmt(torchMs)}, ratio ${(oursMs / torchMs).toFixed(3)} (target ≤ 1.02)`);
  console.log(`run: PyTorch eager ${fmt(eagerMs)}, ours / eager ${(oursMs / eagerMs).toFixed(3)}`);
  await oursSession.release();
  await torchSession.release();

  // Warm end to end: worker, weights, compile and session cached; the image decoded and preprocessed each time.
  const image = join(scratch, 'photo.jpg');
  const pixels = Buffer.alloc(500 * 375 * 3).map((_, i) => (i * 7919) % 251);
  await sharp(pixels, { raw: { width: 500, height: 375, channels: 3 } }).jpeg({ quality: 90 }).toFile(image);
  const client = new InferenceClient({
    workerPath: join(root, 'engine/runtime/worker.ts'),
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, OMP_NUM_THREADS: String(THREADS) },
  });
  const request = { network, weights: { kind: 'random', seed: 0 }, ep: 'cpu', inputs: [{ kind: 'image', path: image }] };
  start = performance.now();
  const cold = await client.infer(request);
  const coldMs = performance.now() - start;
  const s = cold.session;
  console.log(
    `cold request through the worker: ${fmt(coldMs)} (random weights ${fmt(s.weightsMs)}, compile ${fmt(s.compileMs)}, ` +
      `session ${fmt(s.sessionMs)}, first run ${fmt(cold.results[0].timings.runMs)} with profiling)`,
  );
  const totals = [];
  const runs = [];
  const decodes = [];
  const preprocesses = [];
  for (let i = 0; i < Math.min(RUNS, 20); i++) {
    const t = performance.now();
    const warm = await client.infer(request);
    totals.push(performance.now() - t);
    const timings = warm.results[0].timings;
    runs.push(timings.runMs);
    decodes.push(timings.decodeMs);
    preprocesses.push(timings.preprocessMs);
    const probabilities = Array.from(warm.results[0].logits);
    probabilities.map((_, k) => k).sort((a, b) => probabilities[b] - probabilities[a]).slice(0, 5);
  }
  const total = median(totals);
  const run = median(runs);
  console.log(
    `warm end to end (500×375 JPEG → top-5): ${fmt(total)}; model run ${fmt(run)}, decode ${fmt(median(decodes))}, ` +
      `preprocess ${fmt(median(preprocesses))}; overhead over the run ${fmt(total - run)} (${(((total - run) / run) * 100).toFixed(1)}%)`,
  );
  console.log('(the worker uses ORT\'s default thread count, not --threads; compare its run time with that in mind)');
  await client.dispose();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
