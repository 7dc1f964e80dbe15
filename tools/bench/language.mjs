// Language core speed: full analysis (parse, names, shapes, counts, diagnostics) of resnet152, of
// densenet201 (named values: 98 concatenations), of r2plus1d_18 and of generated files of 2,500 to
// 100,000 layers. Prints medians and how time grows with the layers; no pass/fail. The reference,
// measured in the same run: JSON.parse of the 10,000 layers written as JSON (the engine's own parser
// building a tree of the same size), so a loaded or slower machine shows in both.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadBundled, median as medianOf } from '../measure.mjs';

// Under the language server's own node flags (contracts/server.ts): the young generation's size decides
// how much of a large file's analysis is garbage collection.
const { serverNodeFlags } = await loadBundled("export { serverNodeFlags } from './contracts/server';");
if (!serverNodeFlags.every((flag) => process.execArgv.includes(flag))) {
  const child = spawnSync(process.execPath, [...serverNodeFlags, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
console.log(`node flags as the language server runs: ${serverNodeFlags.join(' ')}`);

// Measured as it ships: bundled by esbuild like dist/server.js (tsx's per-module transform is slower).
const { analyze } = await loadBundled("export { analyze } from './language/core/analysis';");
const median = (run) => medianOf(run, { warmup: 20, minimumRuns: 30 });

const generated = (layers) =>
  'network generated {\n  input 16x32x32\n' + Array.from({ length: layers }, (_, i) => `  c${i} conv(16, kernel=3, padding=1)\n`).join('') + '  avgpool avgpool\n  fc linear(10)\n}\n';

const resnet152 = readFileSync('examples/resnet152.resnet', 'utf8');
const densenet201 = readFileSync('examples/densenet201.resnet', 'utf8');
const rows = [['resnet152.resnet (target ≤ 2 ms)', median(() => analyze(resnet152)), 1]];
for (const layers of [2500, 10000, 100000]) {
  const text = generated(layers);
  const runs = layers > 10000 ? { warmup: 2, minimumRuns: 5 } : {};
  rows.push([`generated, ${layers} layers${layers === 10000 ? ' (target ≤ 100 ms)' : ''}`, medianOf(() => analyze(text), { warmup: 20, minimumRuns: 30, ...runs }), layers]);
}
const layersJson = JSON.stringify(Array.from({ length: 10000 }, (_, i) => ({ name: `c${i}`, op: 'conv', out: 16, kernel: 3, padding: 1 })));
const reference = median(() => JSON.parse(layersJson));
const dense = ['densenet201.resnet (target ≤ 3 ms)', median(() => analyze(densenet201)), 1];
// A 3-D network of nested sequentials and per-axis tuples (reported, no target).
const r2plus1d = readFileSync('examples/r2plus1d_18.resnet', 'utf8');
const clips = ['r2plus1d_18.resnet (clips, sequentials)', median(() => analyze(r2plus1d)), 1];
console.log('language core: full analysis, median ms');
for (const [name, ms] of [dense, clips]) console.log(`  ${name.padEnd(40)} ${ms.toFixed(3).padStart(9)} ms   ${(ms / rows[0][1]).toFixed(2)}× resnet152`);
for (const [name, ms, layers] of rows) console.log(`  ${name.padEnd(40)} ${ms.toFixed(3).padStart(9)} ms` + (layers > 1 ? `   ${((ms / layers) * 1000).toFixed(2)} µs/layer` : ''));
console.log(`  reference: JSON.parse of 10,000 layers ${reference.toFixed(3).padStart(9)} ms   (10,000-layer analysis = ${(rows[2][1] / reference).toFixed(1)}× it)`);
for (const [from, to] of [[1, 2], [2, 3]]) {
  const [, a, la] = rows[from];
  const [, b, lb] = rows[to];
  console.log(`  growth ${la.toLocaleString('en-US')} → ${lb.toLocaleString('en-US')} layers: ${(b / a).toFixed(2)}× time for ${(lb / la).toFixed(0)}× layers (linear = ${(lb / la).toFixed(2)}×)`);
}
