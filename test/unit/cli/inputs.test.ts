// Inputs are checked before anything is loaded: `infer` with an image it cannot read, and `eval` on a
// folder whose sub-folders are not classes, say so without starting the inference worker.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as evaluate from '../../../cli/commands/eval';
import * as exportCommand from '../../../cli/commands/export';
import * as infer from '../../../cli/commands/infer';
import { InferenceClient } from '../../../engine/runtime/client';
import { exampleFile } from '../onnx/example-networks';

const FASHION = exampleFile('fashion_resnet20');
const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-cli-inputs-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A client that fails the test if a run reaches the worker. */
class NoWorker extends InferenceClient {
  override start(): void {}

  override infer(): never {
    throw new Error('the inference worker was asked to run');
  }
}

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
}

test('infer with an image it cannot read says which and why, before loading the network', async () => {
  const present = join(folder, 'present.png');
  writeFileSync(present, '');
  const locked = join(folder, 'locked.png');
  writeFileSync(locked, '');
  chmodSync(locked, 0);
  const missing = join(folder, 'missing.png');
  const { out, io: cli } = io();
  // The network file does not exist either: the images are checked first.
  const code = await infer.run([join(folder, 'no.resnet'), missing, present, folder, locked], cli, new NoWorker());
  assert.equal(code, 1);
  assert.equal(out.stdout, '');
  const lines = [`${missing}: cannot read the image: it does not exist (ENOENT)`];
  // root reads any file whatever its mode.
  if (process.getuid?.() !== 0) lines.push(`${locked}: cannot read the image: permission denied (EACCES)`);
  assert.equal(out.stderr, lines.map((l) => `${l}\n`).join(''));

  const fine = io();
  assert.equal(await infer.run([FASHION, present, '--random-weights'], fine.io, new NoWorker()).catch((e: Error) => e.message), 'the inference worker was asked to run');

  // A folder is a clip of frames for a network with a C×T×H×W input only.
  const image = io();
  assert.equal(await infer.run([FASHION, folder, '--random-weights'], image.io, new NoWorker()), 1);
  assert.equal(image.out.stderr, `${folder}: cannot read the image: it is a directory (a folder of frames is a clip, for a network whose input is CxTxHxW)\n`);
  const clip = io();
  assert.equal(await infer.run([exampleFile('r3d_18'), folder, '--random-weights'], clip.io, new NoWorker()).catch((e: Error) => e.message), 'the inference worker was asked to run');
});

test('eval on a folder whose sub-folders are not classes refuses, naming them and the accepted layouts', async () => {
  const project = join(folder, 'project');
  for (const name of ['home', 'repo']) {
    mkdirSync(join(project, name), { recursive: true });
    writeFileSync(join(project, name, 'photo.png'), '');
  }
  const { out, io: cli } = io();
  assert.equal(await evaluate.run([FASHION, project, '--random-weights'], cli, new NoWorker()), 1);
  assert.equal(out.stdout, '');
  assert.equal(
    out.stderr,
    `${project}: 2 of its 2 sub-folders name no class of the network: home, repo. A labelled folder has a sub-folder per class named by ` +
      'its label (T-shirt/top, Trouser, Pullover, Dress, Coat, … (10 in all); case, spaces and punctuation aside) or by its class index ' +
      "(0 to 9), or exactly 10 sub-folders whose sorted order is the class order (torchvision's ImageFolder), or files named <anything>_<class index>.<ext>\n",
  );

  // Named by label or index, the same folder is a dataset: the run reaches the worker.
  for (const name of ['Ankle_boot', '3']) {
    mkdirSync(join(project, name), { recursive: true });
    writeFileSync(join(project, name, 'photo.png'), '');
  }
  rmSync(join(project, 'home'), { recursive: true });
  rmSync(join(project, 'repo'), { recursive: true });
  const labelled = io();
  assert.equal(await evaluate.run([FASHION, project, '--random-weights'], labelled.io, new NoWorker()).catch((e: Error) => e.message), 'the inference worker was asked to run');
});

test('infer --cam to a place that cannot take the overlays says so before loading', async () => {
  const image = join(folder, 'cam-input.png');
  writeFileSync(image, '');
  const file = join(folder, 'cam-file.png');
  writeFileSync(file, '');
  const cases: [string[], string][] = [
    [[image, '--cam', join(folder, 'nowhere', 'x.png')], `--cam ${join(folder, 'nowhere', 'x.png')}: ${join(folder, 'nowhere')} is not an existing folder\n`],
    [[image, image, '--cam', file], `--cam ${file}: 2 images need a folder for their overlays, and ${file} is a file\n`],
  ];
  for (const [args, message] of cases) {
    const { out, io: cli } = io();
    // The network file does not exist: --cam is checked before it is read.
    assert.equal(await infer.run([join(folder, 'no.resnet'), ...args], cli, new NoWorker()), 1);
    assert.equal(out.stderr, message);
  }
});

test('export -o to a folder, or into a folder that does not exist, says so before loading anything', async () => {
  const cases: [string, string][] = [
    [folder, `cannot write ${folder}: it is a directory\n`],
    [join(folder, 'nowhere', 'model.onnx'), `cannot write ${join(folder, 'nowhere', 'model.onnx')}: ${join(folder, 'nowhere')} is not an existing folder\n`],
  ];
  for (const [output, message] of cases) {
    for (const format of ['onnx', 'pytorch']) {
      const { out, io: cli } = io();
      // The network file does not exist: the output is checked first.
      assert.equal(await exportCommand.run([join(folder, 'no.resnet'), '-o', output, '--format', format], cli), 1);
      assert.equal(out.stderr, message);
    }
  }
});
