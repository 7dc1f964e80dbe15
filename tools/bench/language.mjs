// Language core speed: full analysis (parse, names, shapes, counts, diagnostics) of resnet152 and
// of generated files of 2,500 to 10,000 layers. Prints medians; no pass/fail.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

// Measured as it ships: bundled by esbuild like dist/server.js (tsx's per-module transform is slower).
const bundle = await build({ entryPoints: ['language/core/analysis.ts'], bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20' });
const module = { exports: {} };
new Function('module', 'exports', 'require', bundle.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
const { analyze } = module.exports;

function median(run, minimumMs = 1500) {
  for (let i = 0; i < 20; i++) run();
  const times = [];
  const end = performance.now() + minimumMs;
  while (performance.now() < end || times.length < 30) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

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
