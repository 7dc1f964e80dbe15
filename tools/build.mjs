// Bundles every entry point that exists with esbuild. Native modules stay external: they are loaded
// only by the inference worker and the CLI, never at extension activation.
import { build } from 'esbuild';
import { cpSync, existsSync } from 'node:fs';

const native = ['onnxruntime-node', 'sharp'];
const entries = [
  { in: 'cli/main.ts', out: 'dist/cli.js', platform: 'node', external: native },
  { in: 'language/server/main.ts', out: 'dist/server.js', platform: 'node', external: native },
  { in: 'engine/runtime/worker.ts', out: 'dist/worker.js', platform: 'node', external: native },
  { in: 'extension/main.ts', out: 'dist/extension.js', platform: 'node', external: ['vscode', ...native] },
  { in: 'webview/main.ts', out: 'dist/webview.js', platform: 'browser', external: [] },
  { in: 'webview/results/main.ts', out: 'dist/results.js', platform: 'browser', external: [] },
  { in: 'webview/training/main.ts', out: 'dist/training.js', platform: 'browser', external: [] },
];

const production = process.argv.includes('--production');
await Promise.all(
  entries
    .filter((e) => existsSync(e.in))
    .map((e) =>
      build({
        entryPoints: [e.in],
        outfile: e.out,
        bundle: true,
        platform: e.platform,
        format: e.platform === 'browser' ? 'iife' : 'cjs',
        target: e.platform === 'browser' ? 'es2022' : 'node20',
        external: e.external,
        sourcemap: !production,
        minify: production,
        logLevel: 'warning',
      }),
    ),
);
// The preview's toolbar icons: the codicon font and its stylesheet, served from dist/ to the webview.
for (const file of ['codicon.css', 'codicon.ttf']) cpSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/codicons/${file}`);
// The training script runs in Python beside the CLI bundle (engine/torch/train-runner.ts: dist/python).
cpSync('engine/torch/python', 'dist/python', { recursive: true, filter: (src) => !src.includes('__pycache__') });
