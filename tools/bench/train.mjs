// Training throughput: `resnet-studio train` against a hand-written PyTorch loop
// (tools/bench/train_loop.py) on the same network (the Fashion-MNIST ResNet-20 from scratch), the
// same PNGs (the first --images of Debian's dataset-fashion-mnist), batch, data-loading workers and
// torch threads, with Debian's /usr/bin/python3, in the same run. Rounds alternate which goes first,
// so load from other processes hits both alike. Training images/s per epoch (validation excluded);
// the issue asks for a ratio ≥ 0.95. Prints numbers only; it never fails on speed.
//
//   node tools/bench/train.mjs [--images 2048] [--epochs 2] [--batch 128] [--rounds 2]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const PYTHON = '/usr/bin/python3';
const MODEL = 'examples/fashion-mnist/resnet20.resnet';
const { values } = parseArgs({ options: { images: { type: 'string', default: '2048' }, epochs: { type: 'string', default: '2' }, batch: { type: 'string', default: '128' }, rounds: { type: 'string', default: '2' } } });
const [images, epochs, batch, rounds] = [values.images, values.epochs, values.batch, values.rounds].map(Number);
// As engine/torch/train-plan.ts chooses them for one process.
const workers = cpus().length > 2 ? Math.min(8, cpus().length - 1) : 0;

const work = mkdtempSync(join(tmpdir(), 'resnet-bench-train-'));
const data = join(work, 'train');
execFileSync(PYTHON, ['-c', [
  'import gzip, os, sys',
  'from PIL import Image',
  "src, out, count = '/usr/share/datasets/fashion-mnist', sys.argv[1], int(sys.argv[2])",
  "pixels = gzip.open(os.path.join(src, 'train-images-idx3-ubyte.gz')).read()[16:]",
  "labels = gzip.open(os.path.join(src, 'train-labels-idx1-ubyte.gz')).read()[8:]",
  'os.makedirs(out)',
  'for i in range(count):',
  "    Image.frombytes('L', (28, 28), pixels[i * 784:(i + 1) * 784]).save(os.path.join(out, f'{i:05d}_{labels[i]}.png'))",
].join('\n'), data, String(images)]);
const moduleFile = join(work, 'model.py');
execFileSync(process.execPath, ['dist/cli.js', 'export', MODEL, '--format', 'pytorch', '-o', moduleFile]);

/** Training images/s per epoch through the CLI, and its torch threads. */
function cli() {
  const run = spawnSync(process.execPath, ['dist/cli.js', 'train', MODEL, data, '--epochs', String(epochs), '--batch', String(batch), '--augment', 'none', '--from', 'none', '--device', 'cpu', '--python', PYTHON, '--out', join(work, 'w.safetensors'), '--json'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`resnet-studio train failed:\n${run.stderr}`);
  const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  return { perEpoch: events.filter((e) => e.event === 'epoch').map((e) => e.imagesPerSecond), threads: events.find((e) => e.event === 'start').threads };
}

/** The same through the hand-written loop, in the environment train.py sets itself (idle OpenMP threads sleep). */
function loop() {
  const run = spawnSync(PYTHON, ['tools/bench/train_loop.py', moduleFile, data, String(epochs), String(batch), String(workers)], { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
  if (run.status !== 0) throw new Error(`the hand-written loop failed:\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  return { perEpoch: lines.map((e) => e.imagesPerSecond), threads: lines[0].threads };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f1 = (x) => x.toFixed(1);
const ours = [];
const theirs = [];
const ratios = [];
try {
  for (let round = 0; round < rounds; round++) {
    let a, b;
    if (round % 2 === 0) {
      a = cli();
      b = loop();
    } else {
      b = loop();
      a = cli();
    }
    ours.push(a);
    theirs.push(b);
    // Per epoch, the rounds' epochs paired: each epoch of ours against the same epoch of the loop.
    a.perEpoch.forEach((x, i) => ratios.push(x / b.perEpoch[i]));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`\ntraining throughput: Fashion-MNIST ResNet-20 from scratch, ${images} PNGs, batch ${batch}, ${epochs} epochs × ${rounds} rounds (alternating order), ${workers} data-loading workers`);
console.log(`  resnet-studio train  ${ours.map((r) => r.perEpoch.map(f1).join(', ')).join(' | ')} images/s (median ${f1(median(ours.flatMap((r) => r.perEpoch)))}; ${ours[0].threads} torch threads)`);
console.log(`  hand-written loop    ${theirs.map((r) => r.perEpoch.map(f1).join(', ')).join(' | ')} images/s (median ${f1(median(theirs.flatMap((r) => r.perEpoch)))}; ${theirs[0].threads} torch threads)`);
console.log(`  train / loop: ${median(ratios).toFixed(3)}× median of the per-epoch ratios (${ratios.map((r) => r.toFixed(3)).join(', ')}); target ≥ 0.95×`);
console.log(`  load average while it ran: ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} CPUs`);
