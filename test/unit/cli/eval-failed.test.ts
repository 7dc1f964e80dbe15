// An image of the folder that cannot be read: eval still answers for the others, names it once, exits 1.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as evaluate from '../../../cli/commands/eval';
import { EXAMPLES, exampleFile } from '../onnx/example-networks';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-eval-failed-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('eval prints an unreadable image once, with its path once, after the figures of the others', async () => {
  copyFileSync(join(EXAMPLES, 'fashion-mnist', 'images', '0000_9.png'), join(folder, '0000_9.png'));
  const bad = join(folder, 'bad_3.png');
  writeFileSync(bad, 'garbage');
  const out = { stdout: '', stderr: '' };
  const code = await evaluate.run([exampleFile('fashion_resnet20'), folder, '--ep', 'cpu'], { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s) });
  assert.equal(code, 1, out.stderr);
  assert.match(out.stdout, /^accuracy: 100\.00% \(1\/1\)/m);
  const errors = out.stdout.split('\n').filter((line) => line.startsWith('error: '));
  assert.deepEqual(errors, [`error: ${bad} is not an image in a supported format (PNG, JPEG, BMP, GIF, WebP, TIFF, AVIF); it starts with the text "garbage"`]);
});
