// The front half of a run, as the CLI and the extension share it: a .resnet source to the network,
// its weights and labels (paths relative to the file, or absolute while it is unsaved), each problem
// in words, the worker request, and the labelled folder of an evaluation.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inferRequest, isModelProblem, loadEvaluation, loadModel, type ModelSource } from '../../../engine/runtime/runnable-model';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-model-'));
after(() => rmSync(folder, { recursive: true, force: true }));
writeFileSync(join(folder, 'w.safetensors'), '');
writeFileSync(join(folder, 'labels.txt'), 'cat\ndog\n');
mkdirSync(join(folder, 'folder.safetensors'));

const tiny = (name: string, declarations = '') => `network ${name} {\n  input 2x1x1\n${declarations}  avgpool avgpool\n  fc linear(2)\n}\n`;
const source = (text: string, saved = true): ModelSource => ({ text, name: 'm.resnet', folder: saved ? folder : undefined });

async function problem(text: string, saved = true) {
  const loaded = await loadModel(source(text, saved));
  assert.ok(isModelProblem(loaded), 'a problem');
  return loaded;
}

test('a file with errors, no network, or several and none named is a problem that says so', async () => {
  const errors = await problem('network n {\n  fc linear(2)\n}\n');
  assert.equal(errors.kind, 'errors');
  assert.ok(errors.kind === 'errors' && errors.errors.length > 0 && errors.message === `fix its ${errors.errors.length} error(s) first`);
  assert.deepEqual(await problem('# nothing\n'), { kind: 'network', networks: [], message: 'defines no network' });
  const two = tiny('a', '  weights "w.safetensors"\n') + tiny('b', '  weights "w.safetensors"\n');
  assert.deepEqual(await problem(two), { kind: 'network', networks: ['a', 'b'], message: 'defines a, b' });
  assert.equal((await loadModel(source(two), { network: 'c' }) as { message: string }).message, 'no network named c (it defines a, b)');
  const named = await loadModel(source(two), { network: 'b' });
  assert.ok(!isModelProblem(named) && named.network.name === 'b');
});

test("another network's errors do not keep one from running; its own, a used block's and those outside every network do", async () => {
  const block = 'block b(planes) {\n  conv1 conv(planes, kernel=3)\n  + identity\n}\n';
  const broken = 'network broken {\n  input 2x8x8\n  layer1 b(4)\n  avgpool avgpool\n  fc linear(2)\n}\n';
  const good = tiny('good', '  weights "w.safetensors"\n');
  const loaded = await loadModel(source(good + broken + block), { network: 'good' });
  assert.ok(!isModelProblem(loaded) && loaded.network.name === 'good', isModelProblem(loaded) ? loaded.message : '');
  const own = await loadModel(source(good + broken + block), { network: 'broken' });
  assert.ok(isModelProblem(own) && own.kind === 'errors' && own.errors.length === 1, 'the call site of the failing block; its own line repeats it');
  const elsewhere = await loadModel(source(good + 'block typo(p) {\n  c conv(p, kernal=3)\n}\n'), { network: 'good' });
  assert.ok(isModelProblem(elsewhere) && elsewhere.kind === 'errors', 'an error outside every network, not tied to a call site, still blocks');
});

test('an unchanged text gives the same network object again (the worker then needs only its key); a changed one, a new one', async () => {
  const text = tiny('n', '  weights "w.safetensors"\n');
  const first = await loadModel(source(text));
  const again = await loadModel(source(text));
  const changed = await loadModel(source(`${text}\n`));
  assert.ok(!isModelProblem(first) && !isModelProblem(again) && !isModelProblem(changed));
  assert.equal(again.network, first.network);
  assert.notEqual(changed.network, first.network);
  assert.deepEqual(changed.network.children, first.network.children);
});

test('with a chooser, several networks are its to pick from; none picked is no answer', async () => {
  const two = tiny('a', '  weights "w.safetensors"\n') + tiny('b', '  weights "w.safetensors"\n');
  let offered: string[] = [];
  const picked = await loadModel(source(two), { choose: async (networks) => ((offered = networks.map((n) => n.name)), networks[1]) });
  assert.deepEqual(offered, ['a', 'b']);
  assert.ok(picked && !isModelProblem(picked) && picked.network.name === 'b');
  assert.equal(await loadModel(source(two), { choose: async () => undefined }), undefined);
});

test('weights: relative to the file, checked before the worker reads them, or chosen instead', async () => {
  const model = await loadModel(source(tiny('n', '  weights "w.safetensors"\n')));
  assert.ok(!isModelProblem(model));
  assert.deepEqual([model.weights, model.weightsSource, model.name], [{ kind: 'file', path: join(folder, 'w.safetensors') }, join(folder, 'w.safetensors'), 'm.resnet']);

  const none = await problem(tiny('n'));
  assert.deepEqual([none.kind, none.message], ['no-weights', 'network n has no weights']);
  assert.equal((await problem(tiny('n', '  weights "missing.safetensors"\n'))).message, 'cannot read the weights file "missing.safetensors" of network n: it does not exist (ENOENT)');
  assert.equal((await problem(tiny('n', '  weights "folder.safetensors"\n'))).message, 'cannot read the weights file "folder.safetensors" of network n: it is a directory');
  assert.equal((await problem(tiny('n', '  weights "/dev/null"\n'))).message, 'cannot read the weights file "/dev/null" of network n: it is not a regular file');

  // An unsaved file: a relative path has nothing to be relative to; an absolute one is fine.
  assert.equal((await problem(tiny('n', '  weights "w.safetensors"\n'), false)).message, 'it is not saved, so the weights path "w.safetensors" of network n has no folder to be relative to');
  const absolute = await loadModel(source(tiny('n', `  weights ${JSON.stringify(join(folder, 'w.safetensors'))}\n`), false));
  assert.ok(!isModelProblem(absolute) && absolute.weightsSource === join(folder, 'w.safetensors'));

  const random = await loadModel(source(tiny('n')), { weights: { kind: 'random', seed: 3 } });
  assert.ok(!isModelProblem(random));
  assert.deepEqual([random.weights, random.weightsSource], [{ kind: 'random', seed: 3 }, 'random weights (seed 3)']);
  const chosen = await loadModel(source(tiny('n')), { weights: { kind: 'file', path: join(folder, 'gone.safetensors') } });
  assert.ok(isModelProblem(chosen) && chosen.message.startsWith(`cannot read the weights file "${join(folder, 'gone.safetensors')}"`));
});

test('labels that cannot be read or do not fit are warnings: the run goes on with class indices', async () => {
  // Absolute weights, so that the unsaved case gets as far as the labels.
  const weights = JSON.stringify(join(folder, 'w.safetensors'));
  const withLabels = (path: string, saved = true) => loadModel(source(tiny('n', `  weights ${weights}\n  labels ${JSON.stringify(path)}\n`), saved));
  const read = await withLabels('labels.txt');
  assert.ok(!isModelProblem(read));
  assert.deepEqual([read.labels, read.warnings], [['cat', 'dog'], []]);
  const missing = await withLabels('none.txt');
  assert.ok(!isModelProblem(missing) && missing.labels === undefined);
  assert.deepEqual(missing.warnings, [`cannot read labels file ${join(folder, 'none.txt')}: it does not exist (ENOENT); classes are named by index`]);
  writeFileSync(join(folder, 'three.txt'), 'a\nb\nc\n');
  const three = await withLabels('three.txt');
  assert.ok(!isModelProblem(three) && three.labels?.length === 3);
  assert.deepEqual(three.warnings, [`${join(folder, 'three.txt')} has 3 labels but network n has 2 outputs`]);
  const unsaved = await withLabels('labels.txt', false);
  assert.ok(!isModelProblem(unsaved) && unsaved.labels === undefined && /not saved, so the labels path "labels\.txt"/.test(unsaved.warnings[0]!));
});

test('the worker request runs each path as an image with the caller\'s settings', async () => {
  const model = await loadModel(source(tiny('n', '  weights "w.safetensors"\n')));
  assert.ok(!isModelProblem(model));
  assert.deepEqual(inferRequest(model, ['/a.png', '/b.png'], { ep: 'cpu', threads: 2 }), {
    network: model.network,
    weights: model.weights,
    inputs: [{ kind: 'image', path: '/a.png' }, { kind: 'image', path: '/b.png' }],
    ep: 'cpu',
    threads: 2,
  });
});

test('an evaluation needs a classifier and a labelled folder; classes are named by label, folder or index', async () => {
  const model = await loadModel(source(tiny('n', '  weights "w.safetensors"\n  labels "labels.txt"\n')));
  assert.ok(!isModelProblem(model));
  const classes = join(folder, 'classes');
  for (const name of ['zebra', 'okapi']) {
    mkdirSync(join(classes, name), { recursive: true });
    writeFileSync(join(classes, name, 'x.png'), '');
  }
  const byFolder = await loadEvaluation(model, classes);
  assert.ok(typeof byFolder !== 'string');
  assert.deepEqual([byFolder.classes, byFolder.className(0), byFolder.className(1)], [2, 'cat', 'dog']);
  const unlabelled = await loadEvaluation({ ...model, labels: undefined }, classes);
  assert.ok(typeof unlabelled !== 'string');
  assert.deepEqual([unlabelled.className(0), unlabelled.className(1)], ['okapi', 'zebra']);
  const flat = join(folder, 'flat');
  mkdirSync(flat);
  writeFileSync(join(flat, 'x_1.png'), '');
  const bySuffix = await loadEvaluation({ ...model, labels: undefined }, flat);
  assert.ok(typeof bySuffix !== 'string' && bySuffix.className(1) === 'class 1');
  assert.match(String(await loadEvaluation(model, join(folder, 'nowhere'))), /cannot read .*nowhere: ENOENT/);

  const features = await loadModel(source('network f {\n  input 2x4x4\n  weights "w.safetensors"\n  conv conv(2, kernel=1)\n}\n'));
  assert.ok(!isModelProblem(features));
  assert.equal(await loadEvaluation(features, flat), 'network f does not end in class scores [1, classes]; only a classifier can be evaluated on a labelled folder');
});
