// Language core speed: full analysis (parse, names, shapes, counts, diagnostics) of resnet152 and
// of generated files of 2,500 to 10,000 layers. Prints medians; no pass/fail.
import { readFileSync } from 'node:fs';
import { loadBundled, median as medianOf } from '../measure.mjs';

// Measured as it ships: bundled by esbuild like dist/server.js (tsx's per-module transform is slower).
const { analyze } = await loadBundled("export { analyze } from './language/core/analysis';");
const median = (run) => medianOf(run, { warmup: 20, minimumRuns: 30 });

const generated = (layers) =>
  'network generated {\n  input 16x32x32\n' + Array.from({ length: layers }, (_, i) => `  c${i} conv(16, kernel=3, padding=1)\n`).join('') + '  avgpool avgpool\n  fc linear(10)\n}\n';

const resnet152 = readFileSync('examples/resnet152.resnet', 'utf8');
const rows = [['resnet152.resnet (target ≤ 2 ms)', median(() => analyze(resnet152)), 1]];
for (const layers of [2500, 5000, 10000]) {
  const text = generated(layers);
  rows.push([`generated, ${layers} layers${layers === 10000 ? ' (target ≤ 100 ms)' : ''}`, median(() => analyze(text)), layers]);
}
console.log('language core: full analysis, median ms');
for (const [name, ms, layers] of rows) console.log(`  ${name.padEnd(40)} ${ms.toFixed(3).padStart(9)} ms` + (layers > 1 ? `   ${((ms / layers) * 1000).toFixed(2)} µs/layer` : ''));
const [, a, la] = rows[1];
const [, c, lc] = rows[3];
console.log(`  growth 2,500 → 10,000 layers: ${(c / a).toFixed(2)}× time for ${(lc / la).toFixed(0)}× layers (linear = 4.00×)`);
