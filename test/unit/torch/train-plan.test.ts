// Planning a training run checks the weights it starts from before Python starts: a file train.py
// could not read would otherwise end the run with a Python traceback.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { planTraining, type TrainSettings } from '../../../engine/torch/train-plan';
import { EXAMPLES, exampleFile, exampleNetwork } from '../onnx/example-networks';

const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-train-plan-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const model = {
  name: exampleFile('fashion_resnet20'),
  folder: dirname(exampleFile('fashion_resnet20')),
  network: exampleNetwork('fashion_resnet20'),
  labels: readFileSync(join(EXAMPLES, 'fashion-mnist', 'labels.txt'), 'utf8').trim().split('\n'),
};
const data = join(scratch, 'data');
mkdirSync(data);
for (const image of ['0000_9.png', '0001_2.png']) copyFileSync(join(EXAMPLES, 'fashion-mnist', 'images', image), join(data, image));
const bundled = join(EXAMPLES, 'fashion-mnist', 'resnet20.safetensors');
const settings: TrainSettings = { data, epochs: 1, batch: 2, lr: 0.1, optimizer: 'sgd', schedule: 'cosine', augment: 'none', amp: false, seed: 0, nproc: 1, torchrun: [], out: join(scratch, 'out.safetensors') };

test('--from a file that is not safetensors is refused with the reader\'s reason, before Python starts', async () => {
  const truncated = join(scratch, 'truncated.safetensors');
  writeFileSync(truncated, readFileSync(bundled).subarray(0, 5000));
  const onnx = join(scratch, 'model.onnx');
  writeFileSync(onnx, Buffer.from([0x08, 0x08, 0x12, 0x0d, 0x72, 0x65, 0x73, 0x6e, 0x65, 0x74, 0x2d, 0x73, 0x74, 0x75, 0x64, 0x69, 0x6f]));
  const cases: [string, string][] = [
    [truncated, `--from: ${truncated}: not a valid safetensors file: the header length 10912 runs past the end of the file (5000 bytes): truncated or not safetensors`],
    [onnx, `--from: ${onnx}: not a valid safetensors file: the header length 7958816507013761032 runs past the end of the file (17 bytes): truncated or not safetensors; this looks like an ONNX model, which runs as an exported model (infer or eval --model M.onnx, the resnetStudio.inference.model setting), not as weights`],
    [scratch, `--from: ${scratch}: not a valid safetensors file: it is a directory`],
  ];
  for (const [from, message] of cases) assert.equal(await planTraining(model, { ...settings, from }), message);
  const fine = await planTraining(model, { ...settings, from: bundled });
  assert.ok(typeof fine !== 'string', String(fine));
  assert.equal(fine.config.init, bundled);
});

test('--resume of a file that is not safetensors is refused the same way', async () => {
  const last = join(scratch, 'w.last.safetensors');
  writeFileSync(last, 'XXXXXXXX{}');
  writeFileSync(join(scratch, 'w.last.state.pt'), '');
  assert.equal(
    await planTraining(model, { ...settings, out: undefined, resume: last }),
    `--resume: ${last}: not a valid safetensors file: the header length 6365935209750747224 runs past the end of the file (10 bytes): truncated or not safetensors`,
  );
});

test('class folders that name some of the network\'s classes, as many as it has, are refused: sorted, they would train its outputs under other names', async () => {
  const folders = join(scratch, 'folders');
  // Fashion-MNIST's labels: Trouser is class 1 and Bag class 8; "shoe" names none.
  const names = ['Bag', 'Trouser', 'shoe', 'a', 'b', 'c', 'd', 'e', 'f', 'g'];
  for (const name of names) {
    mkdirSync(join(folders, name), { recursive: true });
    copyFileSync(join(data, '0000_9.png'), join(folders, name, 'x.png'));
  }
  const refused = await planTraining(model, { ...settings, data: folders });
  assert.equal(typeof refused, 'string');
  assert.match(refused as string, /^training data: .*: 8 of its 10 sub-folders name no class of the network: .*\. Trained in sorted order, the network's 10 outputs would mean Bag, Trouser, a, b, c, d, e, f, g, shoe, which its classes are not: rename the folders$/);

  // Another number of folders is another problem: a new head, the folders' own classes in sorted order.
  rmSync(join(folders, 'g'), { recursive: true });
  const newHead = await planTraining(model, { ...settings, data: folders });
  assert.ok(typeof newHead !== 'string', String(newHead));
  assert.equal(newHead.config.classes, 9);
  assert.deepEqual(newHead.config.classNames, ['Bag', 'Trouser', 'a', 'b', 'c', 'd', 'e', 'f', 'shoe']);
});

test('--freeze of the last layer with weights is refused: it would leave nothing to train (torch: "optimizer got an empty parameter list")', async () => {
  assert.equal(
    await planTraining(model, { ...settings, freeze: 'fc' }),
    '--freeze fc: it freezes every parameter of network fashion_resnet20 (up to and including fc.bias), so nothing would train; freeze a layer before the head, or backbone',
  );
  for (const freeze of ['layer3', 'backbone']) {
    const plan = await planTraining(model, { ...settings, freeze });
    assert.ok(typeof plan !== 'string', String(plan));
    assert.equal(plan.config.freeze, freeze);
  }
});

test('a clip network is refused before Python starts (train.py reads single images; it stopped in a traceback)', async () => {
  const clipModel = { name: exampleFile('r3d_18'), folder: EXAMPLES, network: exampleNetwork('r3d_18') };
  assert.equal(
    await planTraining(clipModel, { ...settings, from: 'none' }),
    'network r3d_18 takes clips (C×T×H×W); training reads single images and cannot train a clip network yet',
  );
});
