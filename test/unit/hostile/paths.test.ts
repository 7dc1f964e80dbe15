// Hostile paths (test/hostile/paths/generated.ts): directories, missing files, a device, symlinks
// (followed, dangling, looping), a file outside the workspace, and files that change between the
// check before a run and the worker's load. Each is named by a saved .resnet file opened in the real
// language server (what the editor reports), checked as the CLI and the extension check it before a
// run, then sent to the worker as a real inference request for tiny.ts's network: one clear message
// or a result, and the worker survives.
//
// Outside the workspace: the extension runs inference (and so loads weights or labels from anywhere)
// only in a trusted workspace; in Restricted Mode every inference command stops at the trust check
// (extension/inference.ts, trusted()), and the e2e suite checks that in a restricted VS Code.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { isModelProblem, loadModel } from '../../../engine/runtime/runnable-model';
import { TestServer } from '../../lsp/server';
import { generated } from '../../hostile/paths/generated';
import { repoRoot } from '../examples';
import { exampleNetwork } from '../onnx/example-networks';
import { safetensorsBytes } from '../weights/write-safetensors';
import { assertNoOrphans, expectMessage } from './catalogue';
import { SurvivingWorker } from './surviving-worker';
import { tinyInput, tinyNetwork, tinySource } from './tiny';

const worker = new SurvivingWorker();
const root = mkdtempSync(join(tmpdir(), 'resnet-studio-hostile-paths-'));
let server: TestServer;
before(async () => {
  server = await TestServer.start();
});
after(async () => {
  await server.stop();
  await worker.dispose();
  rmSync(root, { recursive: true, force: true });
});

const weights = safetensorsBytes(
  { 'fc.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, 'fc.bias': { dtype: 'F32', shape: [2], data_offsets: [16, 24] } },
  new Uint8Array(new Float32Array([0.5, -0.5, 0.25, 1, 0.1, -0.1]).buffer),
);

test('the paths catalogue', { timeout: 120_000 }, async (t) => {
  assertNoOrphans('paths', Object.keys(generated));
  const network = tinyNetwork();
  const imageNetwork = exampleNetwork('fashion_resnet20');
  for (const [name, c] of Object.entries(generated)) {
    await t.test(name, async () => {
      const dir = mkdtempSync(join(root, `${name}-`));
      writeFileSync(join(dir, 'weights.safetensors'), weights);
      copyFileSync(join(repoRoot, 'examples/fashion-mnist/resnet20.safetensors'), join(dir, 'fashion.safetensors'));
      copyFileSync(join(repoRoot, 'examples/fashion-mnist/images/0000_9.png'), join(dir, 'image.png'));
      const paths = c.setup(dir);
      // What the editor says: the language server checks the paths a saved .resnet file names.
      const model = join(dir, 'model.resnet');
      writeFileSync(model, tinySource.replace('  input 2x1x1\n', `  input 2x1x1\n  weights ${JSON.stringify(paths.weights)}\n`));
      const uri = pathToFileURL(model).href;
      server.open(uri, readFileSync(model, 'utf8'));
      const published = await server.diagnosticsFor(uri, (p) => p.version === 1);
      server.close(uri);
      const editor = published.diagnostics.map((d) => `${String(d.code)} ${d.message}`).join('; ') || 'no diagnostics';
      // The check before a run (engine/runtime/runnable-model.ts): the weights file can be read.
      const loaded = await loadModel({ text: readFileSync(model, 'utf8'), name: 'model.resnet', folder: dir });
      const checked = isModelProblem(loaded) ? loaded.message : 'readable';
      c.between?.(dir);
      const inputs = paths.image ? [{ kind: 'image' as const, path: paths.image }] : [tinyInput()];
      const outcome = await worker.outcome(
        { network: paths.image ? imageNetwork : network, weights: { kind: 'file', path: paths.weights }, ep: 'cpu', inputs },
        (result) => {
          const output = result.results[0]!;
          return output.error !== undefined ? `input error: ${output.error}` : `ok: ${result.weights.summary}; ${output.logits!.length} logits`;
        },
      );
      expectMessage('paths', name, [`editor: ${editor}`, `check: ${checked}`, `worker: ${outcome}`].join('\n').split(dir).join('<dir>'));
    });
  }
});
