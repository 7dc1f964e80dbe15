// Hostile images (test/hostile/images/) through a real inference request to the worker process, with
// the Fashion-MNIST example network and its weights: each gives one clear message or the right
// result (the class, the size as stored, the mean and a digest of the pixels the network saw: an
// animated file's first frame, an EXIF-tagged file as stored), and the worker survives every case.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, test } from 'node:test';
import { parseLabels } from '../../../engine/runtime/classes';
import { repoRoot } from '../examples';
import { exampleNetwork } from '../onnx/example-networks';
import { expectMessage, hostileCases } from './catalogue';
import { SurvivingWorker } from './surviving-worker';

const example = join(repoRoot, 'examples/fashion-mnist');
const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-hostile-images-'));
const worker = new SurvivingWorker();
after(async () => {
  await worker.dispose();
  rmSync(folder, { recursive: true, force: true });
});

test('the images catalogue', { timeout: 180_000 }, async (t) => {
  const network = exampleNetwork('fashion_resnet20');
  const labels = parseLabels(readFileSync(join(example, 'labels.txt'), 'utf8'));
  const weights = { kind: 'file' as const, path: join(example, 'resnet20.safetensors') };
  for (const c of await hostileCases('images')) {
    await t.test(c.name, async () => {
      const path = join(folder, `${c.name}${c.generator?.ext ?? extname(c.file!)}`);
      writeFileSync(path, await c.bytes());
      const result = await worker.infer({ network, weights, ep: 'cpu', inputs: [{ kind: 'image', path }], includeSeenImage: true });
      const output = result.results[0]!;
      let message: string;
      if (output.error !== undefined) {
        assert.equal(output.logits, undefined);
        message = `error: ${output.error}`;
      } else {
        const logits = [...output.logits!];
        const top = logits.indexOf(Math.max(...logits));
        const seen = output.seen!;
        const mean = seen.pixels.reduce((a, b) => a + b, 0) / seen.pixels.length;
        const digest = createHash('sha256').update(seen.pixels).digest('hex').slice(0, 12);
        message =
          `ok: stored ${output.original!.width}x${output.original!.height}, seen ${seen.width}x${seen.height}x${seen.channels} ` +
          `(mean ${mean.toFixed(1)}, sha256 ${digest}), top class ${labels[top]}`;
      }
      expectMessage('images', c.name, message.split(folder).join('<folder>'));
    });
  }
});
