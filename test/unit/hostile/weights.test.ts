// Hostile safetensors files (test/hostile/weights/): each goes through the reader (open, then every
// tensor read), through load_state_dict's checks for a small network, and through a real inference
// request to the worker process. Each gives a result or one clear message; nothing throws anything
// else, nothing allocates what the file merely declares, and the worker survives every case.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { expectMessage, hostileCases } from './catalogue';
import { readAll } from './read-weights';
import { SurvivingWorker } from './surviving-worker';
import { tinyInput, tinyNetwork } from './tiny';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-hostile-weights-'));
const worker = new SurvivingWorker();
after(async () => {
  await worker.dispose();
  rmSync(folder, { recursive: true, force: true });
});

test('the weights catalogue', { timeout: 180_000 }, async (t) => {
  const network = tinyNetwork();
  for (const c of await hostileCases('weights')) {
    await t.test(c.name, async () => {
      const path = join(folder, `${c.name}${c.generator?.ext ?? '.safetensors'}`);
      writeFileSync(path, await c.bytes());
      const before = process.memoryUsage().arrayBuffers;
      const reader = await readAll(path);
      const stateDict = await loadStateDict(network, path).then(
        (loaded) => [`${loaded.ok ? 'ok' : 'refused'}: ${loaded.summary}`, ...loaded.problems.map((p) => `  ${p.severity} ${p.kind} ${p.message}`)].join('\n'),
        (error: Error) => `error: ${error.message}`,
      );
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no large buffer was allocated');
      const outcome = await worker.outcome(
        { network, weights: { kind: 'file', path }, ep: 'cpu', inputs: [tinyInput()] },
        (result) => `ok: ${result.weights.summary}; logits ${[...result.results[0]!.logits!].map((v) => v.toFixed(3)).join(', ')}`,
      );
      const message = [`reader: ${reader}`, `state dict: ${stateDict}`, `worker: ${outcome}`].join('\n');
      // JSON.parse's own wording differs between Node versions.
      const stable = message.split(folder).join('<folder>').replace(/not valid UTF-8 JSON \(.*\)$/gm, 'not valid UTF-8 JSON (…)');
      expectMessage('weights', c.name, stable);
    });
  }
});
