// Hostile `labels` files (test/hostile/labels/generated.ts), read as the CLI and the extension read
// them: a list of class names, or one clear message (each caller then shows class indices). A
// device, a FIFO or a huge file must not hang or allocate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelsFileError, readLabelsFile } from '../../../engine/runtime/labels-file';
import { generated } from '../../hostile/labels/generated';
import { assertNoOrphans, expectMessage } from './catalogue';

const root = mkdtempSync(join(tmpdir(), 'resnet-studio-hostile-labels-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the labels catalogue', { timeout: 60_000 }, async (t) => {
  assertNoOrphans('labels', Object.keys(generated));
  for (const [name, c] of Object.entries(generated)) {
    await t.test(name, async () => {
      const dir = mkdtempSync(join(root, `${name}-`));
      const path = c.setup(dir);
      const before = process.memoryUsage().arrayBuffers;
      const message = await readLabelsFile(path).then(
        (labels) => `ok: ${labels.length} label(s)${labels.length ? `: ${labels.slice(0, 5).map((l) => JSON.stringify(l.length > 40 ? `${l.slice(0, 20)}…` : l)).join(', ')}` : ''}`,
        (error: unknown) => {
          assert.ok(error instanceof LabelsFileError, String(error));
          return `error: ${error.message}`;
        },
      );
      assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'no large buffer was allocated');
      expectMessage('labels', name, message.split(dir).join('<dir>'));
    });
  }
});
