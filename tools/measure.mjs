// Shared by the benchmarks in tools/bench/: load TypeScript sources as esbuild bundles them for the
// product, and time a function by its median.
import { createRequire } from 'node:module';
import { build } from 'esbuild';

/** The exports of `contents` (a TypeScript module, resolved from the repo root) bundled as dist/ is. */
export async function loadBundled(contents) {
  const bundle = await build({ stdin: { contents, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20' });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', bundle.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  return module.exports;
}

/** Median time of `run` in ms, after `warmup` calls, over at least `minimumMs` and `minimumRuns` runs. */
export function median(run, { warmup, minimumRuns, minimumMs = 1500 }) {
  for (let i = 0; i < warmup; i++) run();
  const times = [];
  const end = performance.now() + minimumMs;
  while (performance.now() < end || times.length < minimumRuns) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}
