// The warm path on ResNet-50 (prints numbers, passes or fails nothing): a 500×375 JPEG through a warm
// inference worker (dist/worker.js, `npm run build` first), end to end from InferenceClient.infer to its
// result, against the model run measured inside the same requests. The overhead is split by phase:
// reading and decoding the file, preprocessing (resize, crop, tensor), and the rest (the messages both
// ways, the session lookup, the result). Seeded random weights: the run costs what trained ones cost.
//   node --import tsx tools/bench/warm.mjs [--rounds 3] [--warm 20] [--threads N]
// startup.mjs measures the same with torchvision's weights, through measureWarm.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { numberArgument } from './arguments.mjs';

const root = new URL('../../', import.meta.url).pathname;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(1)} ms`;
const percent = (part, whole) => `${((part / whole) * 100).toFixed(0)}%`;

/** The photo-like JPEG startup.mjs also makes: 500×375, quality 90. */
async function writeBenchJpeg(path) {
  const pixels = Buffer.alloc(500 * 375 * 3).map((_, i) => (i * 7919) % 251);
  await sharp(pixels, { raw: { width: 500, height: 375, channels: 3 } }).jpeg({ quality: 90 }).toFile(path);
}

/**
 * `count` warm requests (after one untimed request), each timed end to end; per phase the median
 * over the requests: total, run, overhead (total − run), ratio (overhead / run, per request),
 * decode, preprocess, and the rest of each request (overhead − decode − preprocess).
 */
export async function measureWarm(client, request, count, nextRequest = () => request) {
  await client.infer(request);
  const phases = { total: [], run: [], overhead: [], ratio: [], decode: [], preprocess: [], rest: [] };
  for (let i = 0; i < count; i++) {
    const next = nextRequest();
    const started = performance.now();
    const result = await client.infer(next);
    const total = performance.now() - started;
    const { runMs, decodeMs, preprocessMs } = result.results[0].timings;
    phases.total.push(total);
    phases.run.push(runMs);
    phases.overhead.push(total - runMs);
    phases.ratio.push((total - runMs) / runMs);
    phases.decode.push(decodeMs);
    phases.preprocess.push(preprocessMs);
    phases.rest.push(total - runMs - decodeMs - preprocessMs);
  }
  return Object.fromEntries(Object.entries(phases).map(([phase, values]) => [phase, median(values)]));
}

/**
 * The reference for the decode: PIL (libjpeg-turbo, what torchvision's loader calls) opening the same
 * file and converting it to RGB, the median of `count` after 20 untimed; undefined without Debian's
 * python3 and Pillow.
 */
export function pilDecodeMs(path, count = 100) {
  const script = `
import sys, time
from PIL import Image
times = []
for i in range(20 + ${count}):
    start = time.perf_counter()
    Image.open(sys.argv[1]).convert('RGB')
    times.append(time.perf_counter() - start)
times = sorted(times[20:])
print(times[len(times) // 2] * 1000)
`;
  try {
    return Number(execFileSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return undefined;
  }
}

/** The decode against PIL's, and what the 10% goal leaves once PIL's decode alone is paid. */
export function describeDecode(m, pilMs) {
  if (pilMs === undefined) return 'PIL not found (/usr/bin/python3 with Pillow): no decode reference';
  return (
    `decode ${ms(m.decode)} vs PIL's ${ms(pilMs)} on the same file (${(m.decode / pilMs).toFixed(2)}×); ` +
    `PIL's decode alone is ${percent(pilMs, m.run)} of the run, where the goal allows 10% for everything around it`
  );
}

/** One line: the overhead over the run, and each phase as a share of the run (each a median of its own). */
export function describeWarm(m) {
  return (
    `${ms(m.total)} end to end, model run ${ms(m.run)}; overhead ${ms(m.overhead)} = ${(m.ratio * 100).toFixed(0)}% of the run ` +
    `(decode ${ms(m.decode)} ${percent(m.decode, m.run)}, preprocess ${ms(m.preprocess)} ${percent(m.preprocess, m.run)}, ` +
    `messages and the rest ${ms(m.rest)} ${percent(m.rest, m.run)}; goal ≤ 10%)`
  );
}

async function main() {
  const rounds = numberArgument('--rounds', 3);
  const warm = numberArgument('--warm', 20);
  const threads = numberArgument('--threads', availableParallelism());
  const { analyze } = await import('../../language/core/analysis.ts');
  const { InferenceClient } = await import('../../engine/runtime/client.ts');
  const source = readFileSync(join(root, 'examples/resnet50.resnet'), 'utf8');
  const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-bench-warm-'));
  try {
    const image = join(scratch, 'photo.jpg');
    await writeBenchJpeg(image);
    const request = (network) => ({ network, weights: { kind: 'random', seed: 1 }, ep: 'cpu', threads, inputs: [{ kind: 'image', path: image }] });
    const same = request(analyze(source).networks[0]);
    console.log(`ResNet-50 (random weights), CPU EP, ${threads} intra-op threads; a 500×375 JPEG; medians of ${warm} warm requests per round; load average ${loadavg()[0].toFixed(1)} at the start`);
    const ratios = [];
    for (let round = 1; round <= rounds; round++) {
      const client = new InferenceClient({ workerPath: join(root, 'dist/worker.js'), execArgv: [] });
      try {
        const m = await measureWarm(client, same, warm);
        ratios.push(m.ratio);
        console.log(`round ${round}: ${describeWarm(m)}; load ${loadavg()[0].toFixed(1)}`);
        console.log(`  ${describeDecode(m, pilDecodeMs(image))}`);
        // A network object new to the worker in every request (as after each edit of the file): it
        // crosses whole and is hashed again.
        const fresh = await measureWarm(client, same, Math.ceil(warm / 2), () => request(analyze(source).networks[0]));
        console.log(`  a network object new to the worker in each request: rest ${ms(fresh.rest)} (${percent(fresh.rest, fresh.run)} of its run ${ms(fresh.run)})`);
      } finally {
        await client.dispose();
      }
    }
    console.log(`warm overhead / model run: ${ratios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')}; median ${(median(ratios) * 100).toFixed(0)}% (goal ≤ 10%); load average ${loadavg()[0].toFixed(1)} at the end`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
