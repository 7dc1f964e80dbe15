// Folder evaluation against PyTorch (prints numbers, passes or fails nothing):
//   node --import tsx tools/bench/eval.mjs [--images 1000] [--rounds 3] [--batch 32] [--threads N]
// 1,000 Fashion-MNIST test images (PNGs written from Debian's dataset-fashion-mnist) through the
// bundled ResNet-20: `resnet-studio eval --batch B` (dist/cli.js, the path the editor's evaluation
// shares) against PyTorch's loop at batch 64 (PIL, torchvision transforms, the exported module with
// the same weights, N threads that sleep when idle). Rounds alternate which goes first; the ratio is the median of the
// per-round ratios of images/s after the model is ready (ours: session created; torch: module built).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { analyze } from '../../language/core/analysis.ts';
import { exportPytorch } from '../../engine/torch/export.ts';
import { numberArgument } from './arguments.mjs';

const IMAGES = numberArgument('--images', 1000);
const ROUNDS = numberArgument('--rounds', 3);
const BATCH = numberArgument('--batch', 32);
// onnxruntime's default: one intra-op thread per core; torch gets as many.
const THREADS = numberArgument('--threads', availableParallelism());
const PYTHON = '/usr/bin/python3';
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
const root = new URL('../../', import.meta.url).pathname;
const model = join(root, 'examples/fashion-mnist/resnet20.resnet');
const weights = join(root, 'examples/fashion-mnist/resnet20.safetensors');
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-bench-eval-'));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function idx(name) {
  const bytes = gunzipSync(readFileSync(join(FASHION_MNIST, name)));
  return bytes.subarray(4 + 4 * bytes[3]);
}

async function writeImages(folder) {
  const images = idx('t10k-images-idx3-ubyte.gz');
  const labels = idx('t10k-labels-idx1-ubyte.gz');
  mkdirSync(folder);
  const raw = { width: 28, height: 28, channels: 1 };
  await Promise.all(
    Array.from({ length: IMAGES }, (_, i) =>
      sharp(Buffer.from(images.subarray(i * 784, (i + 1) * 784)), { raw }).png().toFile(join(folder, `${String(i).padStart(5, '0')}_${labels[i]}.png`)),
    ),
  );
}

function ours(folder, batch) {
  const out = execFileSync(process.execPath, [join(root, 'dist/cli.js'), 'eval', model, folder, '--json', '--batch', String(batch)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const result = JSON.parse(out);
  return { perSecond: result.imagesPerSecond, runPerSecond: result.runImagesPerSecond, correct: result.correct };
}

function torch(folder, moduleFile, preprocess) {
  const out = execFileSync(
    PYTHON,
    [join(root, 'tools/bench/torch_eval.py'), moduleFile, weights, folder, '--preprocess', JSON.stringify(preprocess), '--batch', '64', '--threads', String(THREADS)],
    // Threads that sleep when idle, as onnxruntime's in the worker (allow_spinning 0).
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } },
  );
  const result = JSON.parse(out);
  return { perSecond: result.images / result.seconds, correct: result.correct };
}

try {
  const folder = join(scratch, 'images');
  await writeImages(folder);
  const network = analyze(readFileSync(model, 'utf8')).networks[0];
  const moduleFile = join(scratch, 'resnet20.py');
  writeFileSync(moduleFile, exportPytorch(network, model));
  const p = network.preprocess;
  const preprocess = { grayscale: p.grayscale, channels: network.input[0], resize: p.resize, crop: p.centerCrop, mean: p.mean, std: p.std };

  console.log(`load average ${loadavg()[0].toFixed(1)}`);
  console.log(`${IMAGES} Fashion-MNIST PNGs, ResNet-20, CPU; ours --batch ${BATCH} (and 1), PyTorch batch 64 with ${THREADS} threads; ${ROUNDS} rounds`);
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const first = round % 2 === 0;
    const a = first ? ours(folder, BATCH) : torch(folder, moduleFile, preprocess);
    const b = first ? torch(folder, moduleFile, preprocess) : ours(folder, BATCH);
    const [o, t] = first ? [a, b] : [b, a];
    const single = ours(folder, 1);
    if (o.correct !== single.correct || o.correct !== t.correct) {
      console.log(`  DIFFERENT ANSWERS: correct ${o.correct} (batch ${BATCH}), ${single.correct} (batch 1), ${t.correct} (PyTorch)`);
    }
    ratios.push(o.perSecond / t.perSecond);
    console.log(
      `  round ${round + 1}: ours ${o.perSecond.toFixed(0)} images/s end to end (${o.runPerSecond.toFixed(0)}/s model runs), ` +
        `batch 1 ${single.perSecond.toFixed(0)}/s, PyTorch ${t.perSecond.toFixed(0)}/s; ratio ${(o.perSecond / t.perSecond).toFixed(2)}`,
    );
  }
  console.log(`load average ${loadavg()[0].toFixed(1)}`);
  console.log(`eval images/s, ours (batch ${BATCH}) / PyTorch's batch-64 loop: ${median(ratios).toFixed(2)}× (median of ${ROUNDS} rounds; goal ≥ 2)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
