// Inference from VS Code, measured in the real editor (code-server through the e2e harness): a warm
// "Run again" on the Fashion-MNIST model from the command to the result painted in the results view
// (target ≤ 150 ms), and folder-evaluation throughput against `resnet-studio eval` on the same folder
// in the same run (target ≥ 0.9×). The measuring runs in test/e2e/suite/inference-bench.test.ts.
//
//   node tools/bench/inference.mjs [--repeats 30] [--copies 25] [--rounds 5]
//
// --copies: how many times the 20 shipped images are copied into the evaluated folder; --rounds: how
// many extension/CLI pairs, alternating which goes first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '30' }, copies: { type: 'string', default: '25' }, rounds: { type: 'string', default: '5' } } });
const work = mkdtempSync(join(tmpdir(), 'resnet-bench-inference-'));
const out = join(work, 'figures.json');
const results = join('test-results', 'bench-inference');

const run = spawnSync(process.execPath, ['test/e2e/run.mjs', '--grep', 'inference benchmark', '--timeout', '900', '--results', results], {
  stdio: 'inherit',
  env: { ...process.env, RESNET_BENCH_OUT: out, RESNET_BENCH_REPEATS: values.repeats, RESNET_BENCH_COPIES: values.copies, RESNET_BENCH_ROUNDS: values.rounds, RESNET_E2E_TEST_TIMEOUT_MS: '600000' },
});
if (run.status !== 0 || !existsSync(out)) {
  console.error(`the benchmark run failed (exit ${run.status}); logs in ${results}/`);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
}
const figures = JSON.parse(readFileSync(out, 'utf8'));
rmSync(work, { recursive: true, force: true });

const f1 = (x) => x.toFixed(1);
const r = figures.runAgainMs;
const folder = figures.folder;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('\ninference in VS Code (code-server, CPU EP, Fashion-MNIST ResNet-20)');
console.log(`  cold first run (worker start, weights, compile, session):  ${f1(figures.coldRunMs)} ms`);
console.log(`  warm "Run again", command → rendered result:  median ${f1(r.median)} ms, p90 ${f1(r.p90)} ms, min ${f1(r.min)} ms, max ${f1(r.max)} ms (${r.repeats} runs; target ≤ 150 ms)`);
console.log(`  folder evaluation, ${folder.images} images, ${folder.rounds} rounds interleaved (alternating order):`);
console.log(`    extension  ${folder.extensionImagesPerSecond.map(f1).join(', ')} images/s (median ${f1(median(folder.extensionImagesPerSecond))})`);
console.log(`    CLI eval   ${folder.cliImagesPerSecond.map(f1).join(', ')} images/s (median ${f1(median(folder.cliImagesPerSecond))})`);
console.log(`    extension / CLI: ${folder.medianRatio.toFixed(2)}× median of the per-round ratios, ${folder.ratioOfMedians.toFixed(2)}× ratio of the medians (target ≥ 0.9×)`);
console.log(`  load average while it ran: ${figures.loadAverage.map((x) => x.toFixed(2)).join(', ')} on ${figures.cpus} CPUs`);
