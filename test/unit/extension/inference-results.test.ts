// The pure parts of in-editor inference: what the webview may send, the numbers the results view
// shows, the CSV and JSON exports, and the shared folder-evaluation helpers.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { epFallbackNote, evaluationCsv, imageRunJson, topScores } from '../../../extension/results-format';
import { parseLabels, softmax } from '../../../engine/runtime/classes';
import { confidentMistakes, EVAL_BATCH, evaluate, listDataset, runInBatches, type Sample } from '../../../engine/runtime/dataset';
import type { InferResult, InputResult } from '../../../contracts/worker';
import type { EpReport } from '../../../engine/runtime/providers';
import { parseResultsRequest } from '../../../contracts/results';

const cpuReport: EpReport = { requested: 'cpu', selected: 'cpu', nodesByEp: { cpu: 30 }, ran: 'cpu', attempts: [{ ep: 'cpu', ok: true, ms: 3 }] };

function output(label: string, logits: number[]): InputResult {
  return { label, logits: new Float32Array(logits), timings: { decodeMs: 1, preprocessMs: 2, runMs: 3 } };
}

function result(outputs: InputResult[], cached = false): InferResult {
  return {
    type: 'result',
    id: 1,
    results: outputs,
    ep: cpuReport,
    weights: { random: false, summary: '12 tensors', details: '', problems: [] },
    session: { cached, weightsMs: cached ? 0 : 5, compileMs: cached ? 0 : 6, sessionMs: cached ? 0 : 7 },
  };
}

test('the webview may send only the requests of the protocol, with well-formed ids', () => {
  assert.deepEqual(parseResultsRequest({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseResultsRequest({ type: 'copyJson', id: 'image-3-a1b2c3' }), { type: 'copyJson', id: 'image-3-a1b2c3' });
  assert.deepEqual(parseResultsRequest({ type: 'runAgain' }), { type: 'runAgain' });
  assert.deepEqual(parseResultsRequest({ type: 'error', message: 'boom' }), { type: 'error', message: 'boom' });
  // The malformed ones are in the catalogue: test/hostile/webview/results-*.
});

test('top scores are softmax probabilities, highest first, named from the labels', () => {
  const scores = topScores([0, 3, 1, 3], ['a', 'b', 'c'], 3);
  assert.deepEqual(scores.map((s) => [s.index, s.label]), [[1, 'b'], [3, 'class 3'], [2, 'c']]);
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

test('the JSON of an image run carries the top-k with labels, the logits, the EP and the timings', () => {
  const out = output('/w/shirt_6.png', [0.1, 2, -1]);
  const json = JSON.parse(imageRunJson({ network: 'n', modelFile: 'n.resnet', weights: '/w/n.safetensors', result: result([out]), output: out, labels: ['a', 'b'], topK: 2 }));
  assert.deepEqual(json.top.map((t: { index: number; label: string | null }) => [t.index, t.label]), [[1, 'b'], [0, 'a']]);
  assert.equal(json.logits.length, 3);
  assert.equal(json.ep.ran, 'cpu');
  assert.deepEqual(json.timings, out.timings);
  const failed: InputResult = { label: '/w/bad.png', error: 'not an image', timings: { decodeMs: 0, preprocessMs: 0, runMs: 0 } };
  assert.equal(JSON.parse(imageRunJson({ network: 'n', modelFile: 'n.resnet', weights: 'w', result: result([failed]), output: failed, labels: undefined, topK: 2 })).error, 'not an image');
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

test('batched runs go in order, report progress per batch, leave session creation out of the time, and stop at a failed batch', async () => {
  const samples: Sample[] = Array.from({ length: EVAL_BATCH * 2 + 3 }, (_, i) => ({ path: `/d/${i}_0.png`, target: 0 }));
  const seen: number[] = [];
  const batches: string[][] = [];
  const began = performance.now();
  const run = await runInBatches(
    samples,
    async (paths) => {
      batches.push(paths);
      // The first batch creates the session (18 ms of the 40 by its own account).
      if (batches.length === 1) await new Promise((resolve) => setTimeout(resolve, 40));
      return result(paths.map((p) => output(p, [1, 0])), batches.length > 1);
    },
    (done) => seen.push(done),
  );
  const wall = (performance.now() - began) / 1000;
  assert.ok(run);
  assert.deepEqual(batches.map((b) => b.length), [EVAL_BATCH, EVAL_BATCH, 3]);
  assert.deepEqual(run.outputs.map((o) => o.label), samples.map((s) => s.path));
  assert.deepEqual(seen, [EVAL_BATCH, EVAL_BATCH * 2, EVAL_BATCH * 2 + 3]);
  assert.equal(run.first.session.cached, false);
  assert.ok(run.seconds >= 0.02 && run.seconds <= wall - 0.018 + 1e-6, `${run.seconds} s of ${wall} s`);
  let calls = 0;
  assert.equal(await runInBatches(samples, async () => (++calls === 2 ? undefined : result([]))), undefined);
  assert.equal(calls, 2);
});

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-dataset-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('folders list as ImageFolder (sorted class folders) or as flat files with a class suffix', async () => {
  const classes = join(folder, 'classes');
  for (const [name, files] of [['b-cat', ['x.png']], ['a-dog', ['y.jpg', 'z.txt']]] as const) {
    mkdirSync(join(classes, name), { recursive: true });
    for (const f of files) writeFileSync(join(classes, name, f), '');
  }
  const imageFolder = await listDataset(classes, 10);
  assert.ok(typeof imageFolder !== 'string');
  assert.deepEqual(imageFolder.classNames, ['a-dog', 'b-cat']);
  assert.deepEqual(imageFolder.samples.map((s) => [s.path.slice(classes.length + 1), s.target]), [['a-dog/y.jpg', 0], ['b-cat/x.png', 1]]);

  const flat = join(folder, 'flat');
  mkdirSync(flat);
  for (const f of ['0002_3.png', '0001_9.png']) writeFileSync(join(flat, f), '');
  const suffix = await listDataset(flat, 10);
  assert.ok(typeof suffix !== 'string');
  assert.deepEqual(suffix.samples.map((s) => [s.path.slice(flat.length + 1), s.target]), [['0001_9.png', 9], ['0002_3.png', 3]]);
  assert.match(String(await listDataset(flat, 5)), /0001_9\.png: a flat folder needs file names ending in _<class index>/);
});
