// The export, infer and eval commands end to end: real example file, torch-written weights, images
// written with sharp, the worker process, onnxruntime. Expected numbers come from torch or from an
// independent in-process path (preprocess + compiled model), never from the command itself. The
// JSON the commands print is checked against what the extension's path builds for the same run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import * as evalCommand from '../../../cli/commands/eval';
import * as exportCommand from '../../../cli/commands/export';
import * as inferCommand from '../../../cli/commands/infer';
import { compileToOnnx } from '../../../engine/onnx/build';
import { loadStateDict } from '../../../engine/onnx/state-dict';
import { InferenceClient } from '../../../engine/runtime/client';
import { EVAL_BATCH, runInBatches } from '../../../engine/runtime/dataset';
import { evaluationResult, inferenceResult } from '../../../engine/runtime/inference-result';
import { preprocessImageFile } from '../../../engine/runtime/preprocess';
import { inferRequest, isModelProblem, loadEvaluation, loadModel } from '../../../engine/runtime/runnable-model';
import { resultJson } from '../../../contracts/inference-result';
import { exampleFile, exampleNetwork } from '../onnx/example-networks';
import { PYTHON, referenceIo, referenceModels, relativeError, topK } from '../onnx/oracle';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-cli-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const FASHION = exampleFile('fashion_resnet20');
let weights = '';
const images: string[] = [];

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
}

/** A 28×28 grayscale PNG with a seeded pattern. */
async function writeImage(path: string, seed: number): Promise<string> {
  const pixels = Buffer.alloc(28 * 28);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * (seed * 37 + 11) + seed * 101) % 256;
  await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path);
  return path;
}

before(async () => {
  weights = join(referenceModels(['fashion_resnet20']), 'fashion_resnet20.safetensors');
  for (let seed = 0; seed < 6; seed++) images.push(await writeImage(join(folder, `img${seed}.png`), seed));
});

/** Logits computed without the worker or the CLI: preprocess in-process, compiled model on ORT. */
async function directLogits(paths: string[]): Promise<Float32Array[]> {
  const network = exampleNetwork('fashion_resnet20');
  const loaded = await loadStateDict(network, weights);
  const session = await ort.InferenceSession.create(compileToOnnx(network, loaded.tensors), { executionProviders: ['cpu'] });
  const logits: Float32Array[] = [];
  for (const path of paths) {
    const tensor = await preprocessImageFile(path, network.preprocess!, network.input!);
    const output = await session.run({ input: new ort.Tensor('float32', tensor.data, tensor.dims) });
    logits.push(output.logits!.data as Float32Array);
  }
  await session.release();
  return logits;
}

test('export writes a model that passes check_model and gives torch logits in onnxruntime', async () => {
  const output = join(folder, 'fashion.onnx');
  const { out, io: cli } = io();
  assert.equal(await exportCommand.run([FASHION, '-o', output, '--weights', weights], cli), 0, out.stderr);
  assert.match(out.stdout, /fashion\.onnx: ONNX \(IR 8, opset 17\) of network fashion_resnet20/);
  const printed = execFileSync(PYTHON, ['-c', 'import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print("ok")', output], { encoding: 'utf8' });
  assert.equal(printed.trim(), 'ok');
  const session = await ort.InferenceSession.create(output);
  const { input, logits } = await referenceIo(join(weights, '..'), 'fashion_resnet20');
  const result = await session.run({ input: new ort.Tensor('float32', input, [1, 1, 28, 28]) });
  assert.ok(relativeError(result.logits!.data as Float32Array, logits) < 1e-4);
  await session.release();
});

test('export with --random-weights says so, in its output and in the model metadata', async () => {
  const output = join(folder, 'random.onnx');
  const { out, io: cli } = io();
  assert.equal(await exportCommand.run([FASHION, '-o', output, '--random-weights', '--seed', '4'], cli), 0, out.stderr);
  assert.match(out.stdout, /WARNING: the exported model holds random weights \(seed 4\)/);
  const metadata = execFileSync(PYTHON, ['-c', 'import sys, onnx; print({p.key: p.value for p in onnx.load(sys.argv[1]).metadata_props})', output], { encoding: 'utf8' });
  assert.equal(metadata.trim(), "{'weights': 'random (seed 4)', 'batchnorm': 'folded into the preceding convs'}");
});

test('export folds each batchnorm into its conv; --keep-bn keeps them, with the same logits', async () => {
  const run = async (...flags: string[]) => {
    const output = join(folder, `bn${flags.length}.onnx`);
    const { out, io: cli } = io();
    assert.equal(await exportCommand.run([FASHION, '-o', output, '--weights', weights, ...flags], cli), 0, out.stderr);
    const ops = execFileSync(PYTHON, ['-c', 'import sys, onnx; print(sum(n.op_type == "BatchNormalization" for n in onnx.load(sys.argv[1]).graph.node))', output], { encoding: 'utf8' });
    const session = await ort.InferenceSession.create(output);
    const { input, logits } = await referenceIo(join(weights, '..'), 'fashion_resnet20');
    const result = await session.run({ input: new ort.Tensor('float32', input, [1, 1, 28, 28]) });
    await session.release();
    assert.ok(relativeError(result.logits!.data as Float32Array, logits) < 1e-4, flags.join(' '));
    return { stdout: out.stdout, batchnorms: Number(ops) };
  };
  const folded = await run();
  const kept = await run('--keep-bn');
  assert.equal(folded.batchnorms, 0);
  assert.equal(kept.batchnorms, 21);
  assert.match(folded.stdout, /any batch size, batchnorm folded into the convs;/);
  assert.match(kept.stdout, /any batch size, batchnorm kept;/);
  const pytorch = io();
  assert.equal(await exportCommand.run([FASHION, '-o', join(folder, 'm.py'), '--format', 'pytorch', '--keep-bn'], pytorch.io), 2);
  assert.match(pytorch.out.stderr, /--keep-bn applies to ONNX only/);
});

test('export refuses clearly: no weights, weights that do not fit, bad flags', async () => {
  const missing = io();
  assert.equal(await exportCommand.run([FASHION, '-o', join(folder, 'x.onnx'), '--weights', join(folder, 'none.safetensors')], missing.io), 1);
  assert.match(missing.out.stderr, /resnet20\.resnet: cannot read the weights file ".*none\.safetensors" of network fashion_resnet20: it does not exist \(ENOENT\)/);

  const wrong = io();
  const other = join(referenceModels(['zeropad_mix']), 'zeropad_mix.safetensors');
  assert.equal(await exportCommand.run([FASHION, '-o', join(folder, 'x.onnx'), '--weights', other], wrong.io), 1);
  assert.match(wrong.out.stderr, /does not fit this network: \d+ missing, \d+ unexpected/);
  assert.match(wrong.out.stderr, /Error\(s\) in loading state_dict for fashion_resnet20/);

  const noWeights = io();
  assert.equal(await exportCommand.run([exampleFile('resnet18'), '-o', join(folder, 'x.onnx')], noWeights.io), 1);
  assert.match(noWeights.out.stderr, /network resnet18 has no weights: add `weights "model.safetensors"`.*--random-weights/);

  const flags = io();
  assert.equal(await exportCommand.run([FASHION, '-o', 'x.onnx', '--weights', 'a', '--random-weights'], flags.io), 2);
  assert.match(flags.out.stderr, /--weights and --random-weights exclude each other/);
  const unknown = io();
  assert.equal(await exportCommand.run([FASHION, '--bogus'], unknown.io), 2);
  assert.match(unknown.out.stderr, /unknown option '--bogus'/);
});

test('infer --json: top-k and logits per image equal the direct computation; the EP and timings are reported', async () => {
  const { out, io: cli } = io();
  const code = await inferCommand.run([FASHION, images[0]!, images[1]!, '--weights', weights, '--ep', 'cpu', '--top', '3', '--json'], cli);
  assert.equal(code, 0, out.stderr);
  const json = JSON.parse(out.stdout);
  const expected = await directLogits([images[0]!, images[1]!]);
  assert.deepEqual([json.network, json.model, json.weights.source], ['fashion_resnet20', FASHION, weights]);
  assert.equal(json.ep.ran, 'cpu');
  assert.equal(json.weights.random, false);
  assert.equal(json.results.length, 2);
  json.results.forEach((r: { image: string; original: { width: number; height: number }; logits: number[]; top: { index: number; probability: number }[]; timings: { runMs: number } }, i: number) => {
    assert.equal(r.image, images[i]);
    assert.deepEqual(r.original, { width: 28, height: 28 });
    assert.ok(relativeError(r.logits, expected[i]!) < 1e-5);
    assert.deepEqual(r.top.map((t) => t.index), topK(expected[i]!, 3));
    const sum = r.logits.reduce((s, v) => s + Math.exp(v), 0);
    assert.ok(Math.abs(r.top[0]!.probability - Math.exp(r.logits[r.top[0]!.index]!) / sum) < 1e-6);
    assert.ok(r.timings.runMs > 0);
  });
});

/** A result with its measured times (which differ from run to run) taken out. */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value !== 'object' || value === null) return value;
  const timed = new Set(['timings', 'session', 'ms', 'seconds', 'imagesPerSecond', 'runImagesPerSecond']);
  return Object.fromEntries(Object.entries(value).filter(([key]) => !timed.has(key)).map(([key, v]) => [key, withoutTimes(v)]));
}

/** What the extension does for a run (extension/inference.ts): the editor's text, its settings, its image names. */
async function extensionModel() {
  const model = await loadModel({ text: readFileSync(FASHION, 'utf8'), name: 'fashion-mnist/resnet20.resnet', folder: dirname(FASHION) });
  assert.ok(!isModelProblem(model), isModelProblem(model) ? model.message : undefined);
  return model;
}
const extensionSettings = { ep: 'cpu' as const, threads: 0, sessionCacheSize: 2 };
const relativeName = (path: string) => relative(folder, path);

test('infer --json and the results view hold the same result for the same run', async () => {
  const { out, io: cli } = io();
  assert.equal(await inferCommand.run([FASHION, images[3]!, '--ep', 'cpu', '--json'], cli), 0, out.stderr);
  const printed = JSON.parse(out.stdout);

  const model = await extensionModel();
  const client = new InferenceClient();
  try {
    const run = await client.infer(inferRequest(model, [images[3]!], { ...extensionSettings, includeSeenImage: true }));
    const shown = JSON.parse(resultJson(inferenceResult(model, run, { top: 5, imageName: relativeName })));
    // Only the names differ: the CLI's as typed, the extension's workspace-relative.
    assert.deepEqual(withoutTimes({ ...printed, model: shown.model, results: [{ ...printed.results[0], image: 'img3.png' }] }), withoutTimes(shown));
    assert.equal(printed.results[0].top[0].label, readFileSync(join(dirname(FASHION), 'labels.txt'), 'utf8').split('\n')[printed.results[0].top[0].index]);
  } finally {
    await client.dispose();
  }
});

test('eval --json and the results view hold the same result for the same folder', async () => {
  const flat = join(folder, 'parity');
  mkdirSync(flat);
  for (const [i, target] of [3, 7, 0].entries()) await writeImage(join(flat, `${i}_${target}.png`), i);
  const { out, io: cli } = io();
  assert.equal(await evalCommand.run([FASHION, flat, '--ep', 'cpu', '--json'], cli), 0, out.stderr);
  const printed = JSON.parse(out.stdout);

  const model = await extensionModel();
  const input = await loadEvaluation(model, flat);
  assert.ok(typeof input !== 'string', String(input));
  const client = new InferenceClient();
  try {
    const run = await runInBatches(input.dataset.samples, (paths, onResults) =>
      client.infer({ ...inferRequest(model, paths, { ...extensionSettings, includeSeenImage: false }), batch: EVAL_BATCH }, undefined, onResults),
    );
    assert.ok(run);
    const shown = JSON.parse(resultJson(evaluationResult(model, input, run, { folder: 'parity', imageName: relativeName })));
    const rename = (m: { image: string }) => ({ ...m, image: relativeName(m.image) });
    assert.deepEqual(withoutTimes({ ...printed, model: shown.model, folder: 'parity', mistakes: printed.mistakes.map(rename) }), withoutTimes(shown));
  } finally {
    await client.dispose();
  }
});

test('infer text output: labels or indices, the EP line, timings, and a random-weights warning', async () => {
  const { out, io: cli } = io();
  assert.equal(await inferCommand.run([FASHION, images[2]!, '--random-weights', '--ep', 'cpu'], cli), 0, out.stderr);
  const lines = out.stdout.split('\n');
  assert.match(lines[0]!, /^WARNING: random weights \(seed 0, He init as torchvision\)/);
  assert.ok(lines.some((l) => /^ep: cpu \(requested cpu; \d+ nodes: cpu \d+\)$/.test(l)), out.stdout);
  assert.ok(lines.some((l) => /^session: weights [\d.]+ ms, compile [\d.]+ ms, session creation [\d.]+ ms$/.test(l)));
  assert.equal(lines.filter((l) => /^ +\d\. +[\d.]+% +/.test(l)).length, 5);
  assert.ok(lines.some((l) => /^  decode [\d.]+ ms, preprocess [\d.]+ ms, run [\d.]+ ms$/.test(l)));
  assert.equal(lines.filter((l) => l.startsWith('WARNING: random weights')).length, 2, 'said before and after the results');
});

test('infer reports an image it cannot decode and still answers for the others', async () => {
  const { out, io: cli } = io();
  const bogus = join(folder, 'bogus.png');
  writeFileSync(bogus, 'not a PNG');
  const code = await inferCommand.run([FASHION, bogus, images[0]!, '--random-weights', '--ep', 'cpu'], cli);
  assert.equal(code, 1);
  assert.match(out.stdout, /bogus\.png\n  error: .*bogus\.png/);
  assert.match(out.stdout, /img0\.png\n +1\./);
});

test('infer --ep cuda without CUDA fails with what to install', async () => {
  const { out, io: cli } = io();
  assert.equal(await inferCommand.run([FASHION, images[0]!, '--random-weights', '--ep', 'cuda'], cli), 1);
  assert.match(out.stderr, /ep error: cannot start the cuda execution provider: .*CUDA 12 and cuDNN 9.*: `\(cd \S*onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script\/install\.js\)`\.\n/);
  const bad = io();
  assert.equal(await inferCommand.run([FASHION, images[0]!, '--ep', 'gpu'], bad.io), 2);
  assert.match(bad.out.stderr, /--ep must be one of auto, cuda, tensorrt, dml, coreml, webgpu, cpu, not 'gpu'/);
});

test('eval over an ImageFolder and a suffix-named folder: accuracy and confusion match the logits', async () => {
  const expected = await directLogits(images);
  const predicted = expected.map((l) => topK(l, 1)[0]!);

  // Class folders named by label: "Trouser" is class 1, "ankle_boot" class 9 ("Ankle boot").
  const imageFolder = join(folder, 'imagefolder');
  const targets = [1, 1, 1, 9, 9, 9];
  for (const name of ['ankle_boot', 'Trouser']) mkdirSync(join(imageFolder, name), { recursive: true });
  for (const [i, target] of targets.entries()) await writeImage(join(imageFolder, target === 1 ? 'Trouser' : 'ankle_boot', `x${i}.png`), i);
  const { out, io: cli } = io();
  assert.equal(await evalCommand.run([FASHION, imageFolder, '--weights', weights, '--ep', 'cpu', '--json'], cli), 0, out.stderr);
  const json = JSON.parse(out.stdout);
  const correct = targets.filter((t, i) => predicted[i] === t).length;
  assert.equal(json.layout, 'image-folder');
  assert.equal(json.total, 6);
  assert.equal(json.correct, correct);
  assert.equal(json.accuracy, correct / 6);
  assert.deepEqual([1, 9].map((k) => [json.perClass[k].name, json.perClass[k].images]), [['Trouser', 3], ['Ankle boot', 3]]);
  for (const [i, t] of targets.entries()) assert.ok(json.confusion[t][predicted[i]!] > 0);
  assert.ok(json.imagesPerSecond > 0);

  // Suffix layout: the class index after the last underscore.
  const flat = join(folder, 'flat');
  mkdirSync(flat);
  for (const [i, target] of [3, 7, 3, 0, 9, 1].entries()) await writeImage(join(flat, `${String(i).padStart(4, '0')}_${target}.png`), i);
  const text = io();
  assert.equal(await evalCommand.run([FASHION, flat, '--weights', weights, '--ep', 'cpu'], text.io), 0, text.out.stderr);
  const flatCorrect = [3, 7, 3, 0, 9, 1].filter((t, i) => predicted[i] === t).length;
  assert.match(text.out.stdout, new RegExp(`accuracy: ${((100 * flatCorrect) / 6).toFixed(2)}% \\(${flatCorrect}/6\\)`));
  assert.match(text.out.stdout, /confusion matrix \(rows: true class, columns: predicted class, by index\):/);
  assert.match(text.out.stdout, /throughput: [\d.]+ images\/s end to end/);
});

test('eval refuses a folder that is not a labelled dataset', async () => {
  const unlabelled = join(folder, 'unlabelled');
  mkdirSync(unlabelled);
  await writeImage(join(unlabelled, 'cat.png'), 1);
  const { out, io: cli } = io();
  assert.equal(await evalCommand.run([FASHION, unlabelled, '--random-weights'], cli), 1);
  assert.match(out.stderr, /cat\.png: a flat folder needs file names ending in _<class index>\.<ext> with an index below 10/);
  const none = io();
  assert.equal(await evalCommand.run([FASHION, join(folder, 'nothing-here'), '--random-weights'], none.io), 1);
  assert.match(none.out.stderr, /cannot read .*nothing-here: ENOENT/);
});
