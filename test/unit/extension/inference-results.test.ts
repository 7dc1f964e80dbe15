// The pure parts of in-editor inference: what the webview may send, the result the results view
// shows and `resnet-studio infer|eval --json` print, the CSV export, and the shared folder-evaluation
// helpers.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { epFallbackNote, evaluationCsv } from '../../../extension/results-format';
import { parseLabels, softmax } from '../../../engine/runtime/classes';
import { confidentMistakes, evaluate, listDataset, runInBatches, type Sample } from '../../../engine/runtime/dataset';
import { evaluationResult, inferenceResult, topScores } from '../../../engine/runtime/inference-result';
import type { RunnableModel } from '../../../engine/runtime/runnable-model';
import type { InferResult, InputResult } from '../../../contracts/worker';
import type { EpReport } from '../../../engine/runtime/providers';
import { clipFramesText, confusionCells, resultJson } from '../../../contracts/inference-result';
import { analyze } from '../../../language/core/analysis';
import { preprocessText } from '../../../language/core/preprocess-presets';
import { networkPreprocess } from '../../../engine/runtime/network-preprocess';
import { parseResultsRequest } from '../../../contracts/results';
import { LineMap } from '../../../language/core/positions';
import { exampleFile, exampleNetwork } from '../onnx/example-networks';

const cpuReport: EpReport = { requested: 'cpu', selected: 'cpu', nodesByEp: { cpu: 30 }, ran: 'cpu', attempts: [{ ep: 'cpu', ok: true, ms: 3 }] };

function output(label: string, logits: number[]): InputResult {
  return { label, logits: new Float32Array(logits), timings: { decodeMs: 1, preprocessMs: 2, runMs: 3 } };
}

function inferResult(outputs: InputResult[], cached = false): InferResult {
  return {
    type: 'result',
    id: 1,
    results: outputs,
    ep: cpuReport,
    weights: { random: false, summary: '12 tensors', details: '', problems: [] },
    session: { cached, weightsMs: cached ? 0 : 5, compileMs: cached ? 0 : 6, sessionMs: cached ? 0 : 7 },
    precision: 'fp32',
  };
}

test('the webview may send only the requests of the protocol, with well-formed ids', () => {
  assert.deepEqual(parseResultsRequest({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseResultsRequest({ type: 'copyJson', id: 'image-3-a1b2c3' }), { type: 'copyJson', id: 'image-3-a1b2c3' });
  assert.deepEqual(parseResultsRequest({ type: 'runAgain' }), { type: 'runAgain' });
  assert.deepEqual(parseResultsRequest({ type: 'error', message: 'boom' }), { type: 'error', message: 'boom' });
  // The malformed ones are in the catalogue: test/hostile/webview/results-*.
});

test('top scores are softmax probabilities, highest first, named from the labels (null past their end)', () => {
  const scores = topScores([0, 3, 1, 3], ['a', 'b', 'c'], 3);
  assert.deepEqual(scores.map((s) => [s.index, s.label]), [[1, 'b'], [3, null], [2, 'c']]);
  const p = softmax([0, 3, 1, 3]);
  assert.equal(scores[0]!.probability, p[1]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('labels files drop trailing blank lines and surrounding spaces', () => {
  assert.deepEqual(parseLabels(' T-shirt/top \r\nTrouser\n\n'), ['T-shirt/top', 'Trouser']);
});

test('an EP note explains a fallback and a split, and is absent when the requested EP ran everything', () => {
  assert.equal(epFallbackNote(cpuReport), undefined);
  const fellBack: EpReport = {
    requested: 'auto',
    selected: 'cpu',
    nodesByEp: { cpu: 30 },
    ran: 'cpu',
    attempts: [{ ep: 'webgpu', ok: false, error: 'Failed to get a WebGPU adapter', ms: 40 }, { ep: 'cpu', ok: true, ms: 3 }],
  };
  assert.equal(epFallbackNote(fellBack), 'webgpu could not start: Failed to get a WebGPU adapter');
  const split: EpReport = { requested: 'webgpu', selected: 'webgpu', nodesByEp: { webgpu: 28, cpu: 2 }, ran: 'webgpu+cpu', attempts: [{ ep: 'webgpu', ok: true, ms: 50 }] };
  assert.match(epFallbackNote(split)!, /split between EPs \(webgpu\+cpu\)/);
});

const model: RunnableModel = {
  name: 'fashion-mnist/resnet20.resnet',
  lines: new LineMap(readFileSync(exampleFile('fashion_resnet20'), 'utf8')),
  network: exampleNetwork('fashion_resnet20'),
  weights: { kind: 'file', path: '/w/resnet20.safetensors' },
  weightsSource: '/w/resnet20.safetensors',
  labels: ['a', 'b'],
  warnings: [],
};

test('an image run\'s result carries the top-k with labels, the logits, the file size, the EP and the timings', () => {
  const out = { ...output('/w/shirt_6.png', [0.1, 2, -1]), original: { width: 40, height: 30 } };
  const failed: InputResult = { label: '/w/bad.png', error: 'not an image', timings: { decodeMs: 0, preprocessMs: 0, runMs: 0 } };
  const result = inferenceResult(model, inferResult([out, failed]), { top: 2, imageName: (path) => path.replace('/w/', '') });
  assert.deepEqual(Object.keys(result), ['network', 'model', 'weights', 'precision', 'exported', 'ep', 'session', 'results']);
  assert.deepEqual([result.network, result.model, result.weights.source], ['fashion_resnet20', 'fashion-mnist/resnet20.resnet', '/w/resnet20.safetensors']);
  assert.deepEqual([result.precision, result.exported], ['fp32', false]);
  const [shirt, bad] = result.results;
  assert.deepEqual(shirt, {
    image: 'shirt_6.png',
    original: { width: 40, height: 30 },
    top: [
      { index: 1, label: 'b', probability: softmax(out.logits!)[1] },
      { index: 0, label: 'a', probability: softmax(out.logits!)[0] },
    ],
    logits: Array.from(new Float32Array([0.1, 2, -1])),
    timings: out.timings,
  });
  assert.deepEqual(bad, { image: 'bad.png', error: 'not an image', timings: failed.timings });
  assert.equal(result.ep.ran, 'cpu');
  // What the CLI prints and "Copy JSON" copies: the same text, which parses back to the same result.
  assert.deepEqual(JSON.parse(resultJson(result)), result);
});

test('a clip run\'s result says what ran: the frames, those sampled, C×T×H×W and the preprocessing in words', () => {
  const clipModel = { ...model, network: analyze('network c {\n  input 3x8x112x112\n  preprocess kinetics\n  avgpool avgpool\n  fc linear(2)\n}\n').networks[0]! };
  const out = { ...output('/w/walk', [1, 0]), clip: { source: 'folder' as const, frames: 12, sampled: [0, 1, 3, 4, 6, 7, 9, 11] } };
  const [clip] = inferenceResult(clipModel, inferResult([out]), { top: 2 }).results;
  assert.deepEqual(clip!.clip, {
    source: 'folder',
    frames: 12,
    sampled: [0, 1, 3, 4, 6, 7, 9, 11],
    input: [3, 8, 112, 112],
    preprocess: 'kinetics: resize to 128×171 (bilinear, no antialias), center crop 112×112, normalize mean 0.43216/0.394666/0.37645 std 0.22803/0.22145/0.216989',
  });
  assert.equal(clipFramesText(clip!.clip!), 'folder of 12 frames; 8 sampled evenly: 0, 1, 3, 4, 6, 7, 9, 11 (zero-based)');
  // An image run has no clip; the preprocessing words cover a section and no preprocessing at all.
  assert.equal(inferenceResult(model, inferResult([output('/w/a_1.png', [0, 1])]), { top: 1 }).results[0]!.clip, undefined);
  const described = (source: string) => preprocessText(networkPreprocess(analyze(source).networks[0]!));
  assert.equal(described('network n {\n  input 1x28x28\n  preprocess {\n    grayscale\n    resize(32)\n    center_crop(28)\n    normalize(mean=[0.5], std=[0.25])\n  }\n  fc linear(2)\n}\n'), 'grayscale, resize the shorter side to 32, center crop 28×28, normalize mean 0.5 std 0.25');
  assert.equal(described('network n {\n  input 3x8x8\n  fc linear(2)\n}\n'), 'scale to [0, 1]');
  assert.equal(described('network n {\n  input 3x224x224\n  preprocess imagenet\n  fc linear(2)\n}\n'), 'imagenet: resize the shorter side to 256, center crop 224×224, normalize mean 0.485/0.456/0.406 std 0.229/0.224/0.225');
});

test('an evaluation\'s result: dense confusion up to 100 classes, sparse cells beyond, read back alike by confusionCells', () => {
  const samples: Sample[] = [0, 1, 1].map((target, i) => ({ path: `/d/${i}_${target}.png`, target }));
  for (const classes of [4, 101]) {
    const logits = (hot: number) => Array.from({ length: classes }, (_, i) => (i === hot ? 5 : 0));
    const outputs = [output('/d/0_0.png', logits(0)), output('/d/1_1.png', logits(0)), output('/d/2_1.png', logits(1))];
    const run = { outputs, first: inferResult(outputs), seconds: 2 };
    const input = { dataset: { layout: 'suffix' as const, kind: 'image' as const, samples }, classes, className: (i: number) => `c${i}` };
    const evaluation = evaluationResult(model, input, run, { folder: 'd', imageName: (path) => path.slice(3) });
    assert.deepEqual([evaluation.total, evaluation.correct, evaluation.accuracy, evaluation.imagesPerSecond], [3, 2, 2 / 3, 1.5]);
    assert.equal(evaluation.perClass.length, classes);
    assert.deepEqual(evaluation.mistakes.map((m) => [m.image, m.target, m.predicted]), [['1_1.png', 1, 0]]);
    const shape = evaluation.confusion.map((row) => row.length);
    assert.deepEqual(shape, classes === 4 ? [4, 4, 4, 4] : [3, 3, 3], classes === 4 ? 'dense' : 'sparse: a triple per non-zero cell');
    assert.deepEqual(confusionCells(evaluation), [[0, 0, 1], [1, 0, 1], [1, 1, 1]]);
  }
});

test('the evaluation CSV has one row per image and quotes fields that need it', () => {
  const samples: Sample[] = [
    { path: '/d/a,1_0.png', target: 0 },
    { path: '/d/b_1.png', target: 1 },
    { path: '/d/c_1.png', target: 1 },
  ];
  const outputs = [output('/d/a,1_0.png', [5, 0]), output('/d/b_1.png', [4, 0]), { label: '/d/c_1.png', error: 'truncated "PNG"', timings: { decodeMs: 0, preprocessMs: 0, runMs: 0 } }];
  const lines = evaluationCsv(samples, outputs, (i) => ['zero', 'one'][i]!).trimEnd().split('\n');
  assert.equal(lines[0], 'image,target,target_name,predicted,predicted_name,confidence,correct,error');
  assert.equal(lines[1], `"/d/a,1_0.png",0,zero,0,zero,${softmax([5, 0])[0]!.toFixed(6)},1,`);
  assert.equal(lines[2], `/d/b_1.png,1,one,0,zero,${softmax([4, 0])[0]!.toFixed(6)},0,`);
  assert.equal(lines[3], '/d/c_1.png,1,one,,,,,"truncated ""PNG"""');
});

test('the most confident mistakes come surest first and skip right answers and unreadable images', () => {
  const samples: Sample[] = [0, 1, 0, 1].map((target, i) => ({ path: `/d/${i}_${target}.png`, target }));
  const outputs = [output('0', [0, 1]), output('1', [0, 3]), output('2', [-4, 4]), { label: '3', error: 'x', timings: { decodeMs: 0, preprocessMs: 0, runMs: 0 } }];
  const mistakes = confidentMistakes(samples, outputs, 5);
  assert.deepEqual(mistakes.map((m) => [m.image, m.target, m.predicted]), [['/d/2_0.png', 0, 1], ['/d/0_0.png', 0, 1]]);
  assert.ok(mistakes[0]!.confidence > mistakes[1]!.confidence);
  const report = evaluate(samples, outputs, 2, String, 1);
  assert.equal(report.total, 3);
  assert.equal(report.correct, 1);
  assert.deepEqual(report.confusion, [[0, 2], [0, 1]]);
});

test('a folder runs as one request whose batches report progress in order, with session creation left out of the time', async () => {
  const samples: Sample[] = Array.from({ length: 7 }, (_, i) => ({ path: `/d/${i}_0.png`, target: 0 }));
  const seen: number[] = [];
  const asked: string[][] = [];
  const began = performance.now();
  const run = await runInBatches(
    samples,
    async (paths, onResults) => {
      asked.push(paths);
      const result = inferResult(paths.map((p) => output(p, [1, 0])));
      // The session takes 18 ms by its own account (of the 40 waited), then batches of 3 report.
      await new Promise((resolve) => setTimeout(resolve, 40));
      for (let begin = 0; begin < paths.length; begin += 3) onResults(result.results.slice(begin, begin + 3), result.session);
      return result;
    },
    (done) => seen.push(done),
  );
  const wall = (performance.now() - began) / 1000;
  assert.ok(run);
  assert.deepEqual(asked, [samples.map((s) => s.path)]);
  assert.deepEqual(run.outputs.map((o) => o.label), samples.map((s) => s.path));
  assert.deepEqual(seen, [3, 6, 7]);
  assert.equal(run.first.session.cached, false);
  assert.ok(run.seconds >= 0.02 && run.seconds <= wall - 0.018 + 1e-6, `${run.seconds} s of ${wall} s`);
  assert.equal(await runInBatches(samples, async () => undefined), undefined);
});

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-dataset-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('folders list as ImageFolder (sorted class folders) or as flat files with a class suffix', async () => {
  const classes = join(folder, 'classes');
  for (const [name, files] of [['b-cat', ['x.png']], ['a-dog', ['y.jpg', 'z.txt']]] as const) {
    mkdirSync(join(classes, name), { recursive: true });
    for (const f of files) writeFileSync(join(classes, name, f), '');
  }
  const imageFolder = await listDataset(classes, 2);
  assert.ok(typeof imageFolder !== 'string');
  assert.deepEqual(imageFolder.classFolders, { names: ['a-dog', 'b-cat'], targets: [0, 1], rule: 'sorted' });
  assert.deepEqual(imageFolder.samples.map((s) => [s.path.slice(classes.length + 1), s.target]), [['a-dog/y.jpg', 0], ['b-cat/x.png', 1]]);
  const byLabel = await listDataset(classes, 10, ['x', 'y', 'B Cat', 'A_DOG']);
  assert.ok(typeof byLabel !== 'string');
  assert.deepEqual(byLabel.samples.map((s) => [s.path.slice(classes.length + 1), s.target]), [['a-dog/y.jpg', 3], ['b-cat/x.png', 2]]);

  const flat = join(folder, 'flat');
  mkdirSync(flat);
  for (const f of ['0002_3.png', '0001_9.png']) writeFileSync(join(flat, f), '');
  const suffix = await listDataset(flat, 10);
  assert.ok(typeof suffix !== 'string');
  assert.deepEqual(suffix.samples.map((s) => [s.path.slice(flat.length + 1), s.target]), [['0001_9.png', 9], ['0002_3.png', 3]]);
  assert.match(String(await listDataset(flat, 5)), /0001_9\.png: a flat folder needs file names ending in _<class index>/);
});

test('for a 3-D network a class folder holds clips: folders of frames, animations and videos; stray frames are refused', async () => {
  const clips = join(folder, 'clips');
  for (const [path, content] of [['walk/a/frame1.png', ''], ['walk/a/frame2.png', ''], ['walk/b.gif', ''], ['run/c.mp4', ''], ['run/notes.txt', '']] as const) {
    mkdirSync(join(clips, path, '..'), { recursive: true });
    writeFileSync(join(clips, path), content);
  }
  const dataset = await listDataset(clips, 2, ['walk', 'run'], 'clip');
  assert.ok(typeof dataset !== 'string', String(dataset));
  assert.equal(dataset.kind, 'clip');
  assert.deepEqual(dataset.samples.map((s) => [s.path.slice(clips.length + 1), s.target]), [['run/c.mp4', 1], ['walk/a', 0], ['walk/b.gif', 0]]);
  // The same folder for a 2-D network: every image file is a sample.
  const images = await listDataset(clips, 2, ['walk', 'run']);
  assert.ok(typeof images !== 'string');
  assert.deepEqual(images.samples.map((s) => s.path.slice(clips.length + 1)), ['walk/a/frame1.png', 'walk/a/frame2.png', 'walk/b.gif']);

  writeFileSync(join(clips, 'walk', 'frame9.png'), '');
  assert.match(String(await listDataset(clips, 2, ['walk', 'run'], 'clip')), /walk: frame9\.png: a class folder of clips holds one clip per entry \(folders of frames, or \.gif, \.webp, \.mp4.*\), not single frames/);
  const flat = join(folder, 'flat-clips');
  mkdirSync(flat);
  for (const f of ['x_1.mp4', 'y_0.webp', 'z_0.png']) writeFileSync(join(flat, f), '');
  const suffix = await listDataset(flat, 2, undefined, 'clip');
  assert.ok(typeof suffix !== 'string');
  assert.deepEqual(suffix.samples.map((s) => [s.path.slice(flat.length + 1), s.target]), [['x_1.mp4', 1], ['y_0.webp', 0]]);
});
