// Activation must not load onnxruntime, sharp or any other native module: bundle the extension entry
// point as the build does and check everything it pulls in. The server bundle is held to the same rule.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { repoRoot } from './server';

async function bundledInputs(entry: string): Promise<{ inputs: string[]; externals: string[] }> {
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    external: ['vscode'],
    logLevel: 'silent',
  });
  const outputs = Object.values(result.metafile.outputs);
  return { inputs: Object.keys(result.metafile.inputs), externals: outputs.flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)) };
}

for (const entry of ['extension/main.ts', 'language/server/main.ts']) {
  test(`${entry} bundles without native modules`, async () => {
    const { inputs, externals } = await bundledInputs(entry);
    const native = inputs.filter((path) => /onnxruntime|sharp|\.node$/.test(path));
    assert.deepEqual(native, []);
    const nonBuiltin = externals.filter((path) => path !== 'vscode' && !path.startsWith('node:') && !/^(fs|path|os|child_process|net|crypto|util|events|stream|url|assert|worker_threads)$/.test(path));
    assert.deepEqual(nonBuiltin, [], 'nothing is loaded from outside the bundle at run time but vscode and Node built-ins');
    assert.ok(inputs.some((path) => path.includes(entry === 'extension/main.ts' ? 'vscode-languageclient' : 'vscode-languageserver')), 'the bundle holds the LSP library');
  });
}
