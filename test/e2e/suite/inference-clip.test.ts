/// <reference types="mocha" />
// Clip inference from VS Code on a tiny 3-D network written at test time (input 3×8×112×112,
// `preprocess kinetics`, seeded random weights saved as safetensors): a folder of frames chosen in the
// clip dialog, an animated GIF and a video (made with ffmpeg), each against `resnet-studio infer
// --json` on the same clip (Copy JSON gives the same result format); the results view saying what ran
// (the frames sampled, C×T×H×W, the preprocessing) and the class map of the middle frame; clear messages for a folder with no frames, a
// corrupt video and a video without ffmpeg on the PATH. Then the results view in a narrow column (about
// 400 px): no sideways scrolling of the page, the confusion matrix scrolling in its own box.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ImageRunOutcome, EvalOutcome } from '../../../extension/inference';
import type { EvaluationResult, InferenceResult } from '../../../contracts/inference-result';
import { analyze } from '../../../language/core/analysis';
import { randomWeights } from '../../../engine/onnx/random-weights';
import { expectedWeights } from '../../../engine/onnx/network-walk';
import { writeF32Tensors } from '../../unit/weights/write-safetensors';
import { click, fill, hasRunner, layout, screenshot, workbenchText } from '../host/runnerLink';
import { sleep, waitFor } from '../host/wait';
import { openFile, ourExtension, waitForActivation, workspaceRoot } from '../host/workspace';

const FOLDER = 'clip-e2e';
const NETWORK = `# A tiny clip classifier: one 3-D conv over 8 frames of the kinetics crop.
network tiny_clip {
  input 3x8x112x112
  preprocess kinetics
  weights "tiny_clip.safetensors"
  labels "labels.txt"
  conv1   conv(4, kernel=(3, 7, 7), stride=(1, 4, 4), padding=(1, 3, 3))
  bn1     batchnorm
  relu    relu
  avgpool avgpool
  fc      linear(5)
}
`;
const KINETICS = 'kinetics: resize to 128×171 (bilinear, no antialias), center crop 112×112, normalize mean 0.43216/0.394666/0.37645 std 0.22803/0.22145/0.216989';
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

/** What the CLI of this repository (dist/cli.js) prints with --json. */
function cliJson<T>(args: string[]): T {
  const repo = ourExtension().extensionPath;
  const out = execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args, '--ep', 'cpu', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 60_000,
  });
  return JSON.parse(out) as T;
}

const cliInfer = (model: string, clip: string) => cliJson<InferenceResult>(['infer', model, clip]);

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { timeout: 60_000 });
}

async function viewShows(description: string, selector: string, accept: (text: string) => boolean): Promise<string | undefined> {
  if (!hasRunner()) return undefined;
  return waitFor(description, async () => {
    const text = (await workbenchText(selector, { includeWebviews: true }))?.[0];
    return text !== undefined && accept(text) && text;
  });
}

/** "Copy JSON" of the newest run, pressed in the view. */
async function copiedJson(): Promise<InferenceResult> {
  await vscode.env.clipboard.writeText('');
  assert.equal(await click('.image-run .actions vscode-button', { includeWebviews: true }), true);
  return waitFor('the clipboard to hold the result', async () => {
    const text = await vscode.env.clipboard.readText();
    return text.startsWith('{') && (JSON.parse(text) as InferenceResult);
  });
}

/** The editor's run equals the CLI's on the same clip: classes, probabilities, the clip's report. */
async function assertSameAsCli(outcome: ImageRunOutcome | undefined, model: string, clip: string, source: string): Promise<void> {
  assert.ok(outcome, 'the command returned no result');
  const reference = cliInfer(model, clip);
  const expected = reference.results[0]!;
  assert.equal(expected.error, undefined, expected.error);
  assert.deepEqual(
    outcome.top.map((t) => [t.index, t.label]),
    expected.top!.map((t) => [t.index, t.label]),
  );
  outcome.top.forEach((t, i) => assert.ok(Math.abs(t.probability - expected.top![i]!.probability) < 1e-6, `class ${t.index}: ${t.probability} vs the CLI's ${expected.top![i]!.probability}`));
  // 12 frames, 8 taken: torch.linspace(0, 11, 8).long().
  assert.deepEqual(expected.clip, { source, frames: 12, sampled: [0, 1, 3, 4, 6, 7, 9, 11], input: [3, 8, 112, 112], preprocess: KINETICS });
  if (!hasRunner()) return;
  const label = expected.top![0]!.label!;
  await viewShows('the view to show the top-1 label', '.image-run .top1-label', (text) => text.startsWith(`${label} (`));
  await viewShows('the view to say which frames were sampled', '.image-run .clip-frames', (text) => text.includes(`of 12 frames; 8 sampled evenly: ${expected.clip!.sampled.join(', ')}`));
  await viewShows('the view to give the clip shape', '.image-run .clip-input', (text) => text === '3×8×112×112 (C×T×H×W)');
  await viewShows('the view to name the preprocessing', '.image-run .preprocess', (text) => text === KINETICS);
  // The class map of the middle frame, beside it: the 8×28×28 map (the conv keeps T, divides H and W by 4) at frame 4.
  await viewShows('the view to show the class map of the middle frame', '.image-run .class-map figcaption', (text) => text.includes('where it looked: class activation map (28×28) of the middle frame (4 of the 8 taken, zero-based)'));
  await viewShows('the map to offer the top classes', '.image-run .map-class', (text) => text.startsWith(`${label} (`));
  const heat = await layout('.image-run .class-map canvas.heat');
  assert.ok(heat && heat.width > 50, `the heat map is drawn: ${JSON.stringify(heat)}`);
  const copied = await copiedJson();
  assert.deepEqual(copied.results[0]!.clip, expected.clip);
  assert.deepEqual(copied.results[0]!.logits, expected.logits);
}

suite('inference on clips', () => {
  let root = '';
  let modelPath: string;
  let model: vscode.TextEditor;

  suiteSetup(async function () {
    if (!hasFfmpeg) {
      if (process.env.CI) assert.fail('ffmpeg is not on the PATH: the clip suite makes its clips with it');
      this.skip();
    }
    root = join(workspaceRoot().fsPath, FOLDER);
    mkdirSync(root, { recursive: true });
    modelPath = join(root, 'tiny_clip.resnet');
    writeFileSync(modelPath, NETWORK);
    writeFileSync(join(root, 'labels.txt'), 'walk\nrun\njump\nswim\nsit\n');
    const network = analyze(NETWORK).networks[0]!;
    const values = randomWeights(network, 7).tensors;
    const tensors = Object.fromEntries([...expectedWeights(network)].filter(([key]) => values.has(key)).map(([key, { spec }]) => [key, { shape: [...spec.shape], values: values.get(key)! }]));
    writeF32Tensors(join(root, 'tiny_clip.safetensors'), tensors);
    // 12 frames of ffmpeg's moving test pattern; a GIF and an H.264 video of the same 12.
    mkdirSync(join(root, 'frames'));
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=12', '-frames:v', '12', join(root, 'frames', 'frame%d.png'));
    ffmpeg('-framerate', '12', '-i', join(root, 'frames', 'frame%d.png'), join(root, 'clip.gif'));
    ffmpeg('-framerate', '12', '-i', join(root, 'frames', 'frame%d.png'), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(root, 'clip.mp4'));
    mkdirSync(join(root, 'no-frames'));
    writeFileSync(join(root, 'no-frames', 'notes.txt'), 'no images here\n');
    writeFileSync(join(root, 'corrupt.mp4'), Buffer.from('this is not a video, only its name says so\n'));

    model = await openFile(`${FOLDER}/tiny_clip.resnet`);
    await waitForActivation();
    await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
  });

  // The suites after this one count the view's runs and pick the newest image of the workspace: leave
  // them no runs and no files of this suite.
  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('resnetStudio.stopInferenceWorker');
    if (hasRunner()) await click('#toolbar vscode-button:has-text("Clear history")', { includeWebviews: true });
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('a folder of frames chosen in the clip dialog runs; the view says what ran and equals infer --json', async () => {
    const frames = join(root, 'frames');
    const pending = vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInference', vscode.Uri.file(modelPath).toString(), 'tiny_clip');
    if (hasRunner()) {
      // VS Code's own open dialog (in the browser, its quick-input form): type the folder, which it
      // opens and lists, then press its Run button to take the folder.
      // It opens at the model's folder; typing before that listing arrives would be overwritten by it.
      await waitFor('the clip dialog to list the model\'s folder', async () => {
        const title = (await workbenchText('.quick-input-widget .quick-input-title'))?.some((t) => t.includes('choose a clip'));
        return title && (await workbenchText('.quick-input-widget .monaco-list-row'))?.some((row) => row.includes('tiny_clip.resnet'));
      });
      assert.equal(await fill('.quick-input-widget .quick-input-box input', `${frames}/`), true);
      await waitFor('the dialog to list the frames', async () => {
        const rows = (await workbenchText('.quick-input-widget .monaco-list-row')) ?? [];
        return rows.some((row) => row.includes('frame12.png')) && !rows.some((row) => row.includes('tiny_clip.resnet'));
      });
      await screenshot('clip-dialog');
      assert.equal(await click('.quick-input-widget .monaco-button:has-text("Run")'), true);
    } else {
      await sleep(2000);
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    }
    const outcome = await pending;
    await assertSameAsCli(outcome, modelPath, frames, 'folder');
    await screenshot('clip-result-folder');
  });

  test('an animated GIF runs as a clip, as the CLI runs it', async () => {
    await vscode.window.showTextDocument(model.document, vscode.ViewColumn.One);
    const gif = join(root, 'clip.gif');
    const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', vscode.Uri.file(gif));
    await assertSameAsCli(outcome, modelPath, gif, 'animation');
  });

  test('a video decoded by ffmpeg runs as a clip, as the CLI runs it', async () => {
    await vscode.window.showTextDocument(model.document, vscode.ViewColumn.One);
    const video = join(root, 'clip.mp4');
    const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', vscode.Uri.file(video));
    await assertSameAsCli(outcome, modelPath, video, 'video');
    await screenshot('clip-result-video');
  });

  test('a folder of clips in class sub-folders is evaluated as `resnet-studio eval` evaluates it', async () => {
    // walk/: a folder of frames and a GIF; run/: a video and the frames again.
    const dataset = join(root, 'dataset');
    cpSync(join(root, 'frames'), join(dataset, 'walk', 'a'), { recursive: true });
    cpSync(join(root, 'frames'), join(dataset, 'run', 'd'), { recursive: true });
    copyFileSync(join(root, 'clip.gif'), join(dataset, 'walk', 'b.gif'));
    copyFileSync(join(root, 'clip.mp4'), join(dataset, 'run', 'c.mp4'));
    const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('resnetStudio.evaluateFolder', vscode.Uri.file(dataset), model.document.uri);
    assert.equal(outcome?.state, 'done');
    const reference = cliJson<EvaluationResult>(['eval', modelPath, dataset]);
    assert.equal(reference.failed.length, 0, JSON.stringify(reference.failed));
    assert.equal(reference.total, 4);
    assert.deepEqual({ accuracy: outcome.accuracy, correct: outcome.correct, total: outcome.total }, { accuracy: reference.accuracy, correct: reference.correct, total: reference.total });
    const shown = `${(reference.accuracy! * 100).toFixed(2)}% (${reference.correct}/${reference.total})`;
    await viewShows('the view to show the accuracy on the clips', '.eval-run .accuracy', (text) => text === shown);
    await viewShows('the view to count clips, not images', '.eval-run .progress-text', (text) => text.startsWith('4/4 clips'));
    // a/ and d/ are the same frames under two classes: one of them is a mistake, shown with its class map over the middle frame.
    assert.ok(reference.correct! < reference.total);
    if (hasRunner()) {
      const map = await waitFor('the class map of a mistaken clip', () => layout('.eval-run .mistake-pictures canvas'));
      assert.ok(map.width > 20, `the mistake's map is drawn: ${JSON.stringify(map)}`);
    }
    await screenshot('clip-evaluation');
  });

  /** Runs the clip and expects no classes but `message` in the view's error line. */
  async function expectClipError(clip: string, message: RegExp): Promise<void> {
    await vscode.window.showTextDocument(model.document, vscode.ViewColumn.One);
    const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', vscode.Uri.file(clip));
    assert.ok(outcome, 'the command returned no result');
    assert.deepEqual(outcome.top, []);
    const text = await viewShows(`the view to say why ${clip} did not run`, '.image-run .error', (t) => message.test(t));
    if (hasRunner()) assert.ok(text?.includes(clip), `the message names the clip: ${text}`);
  }

  test('a folder without frames and a corrupt video get clear messages', async () => {
    await expectClipError(join(root, 'no-frames'), /holds no image files to read as frames/);
    await expectClipError(join(root, 'corrupt.mp4'), /corrupt\.mp4 is neither an image nor a video ffmpeg can read/);
  });

  test('a video without ffmpeg on the PATH says to install it and names what works without it', async () => {
    // The worker looks ffmpeg up on the PATH it inherited when it started: restart it with a PATH
    // that holds no programs.
    const path = process.env.PATH;
    const empty = mkdtempSync(join(tmpdir(), 'resnet-no-ffmpeg-'));
    process.env.PATH = empty;
    await vscode.commands.executeCommand('resnetStudio.stopInferenceWorker');
    try {
      await expectClipError(join(root, 'clip.mp4'), /needs ffprobe \(ffmpeg\) on the PATH, and it is not there: install ffmpeg, or give a folder of frames or an animated GIF or WebP/);
      await screenshot('clip-no-ffmpeg');
    } finally {
      process.env.PATH = path;
      await vscode.commands.executeCommand('resnetStudio.stopInferenceWorker');
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('in a column about 400 px wide the results view reflows: no sideways scrolling, the matrix scrolls in its box', async function () {
    if (!hasRunner()) this.skip();
    // One editor group with the network, the results panel beside it.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{}] });
    const fashion = await openFile('fashion-mnist/resnet20.resnet');
    const images = vscode.Uri.joinPath(workspaceRoot(), 'fashion-mnist', 'images');
    const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('resnetStudio.evaluateFolder', images, fashion.document.uri);
    assert.equal(outcome?.state, 'done');
    // The results panel is the second editor group: narrow it to about 400 px.
    let fraction = 0.35;
    for (let attempt = 0; attempt < 3; attempt++) {
      await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{ size: 1 - fraction }, { size: fraction }] });
      await sleep(500);
      const width = (await layout('#toolbar'))?.viewportWidth ?? 0;
      if (Math.abs(width - 400) < 30) break;
      fraction = Math.min(0.9, (fraction * 400) / Math.max(1, width));
    }
    try {
      const toolbar = await waitFor('the results toolbar', () => layout('#toolbar vscode-button'));
      assert.ok(toolbar.viewportWidth >= 340 && toolbar.viewportWidth <= 460, `the results view is ${toolbar.viewportWidth} px wide`);
      assert.ok(toolbar.scrollWidth <= toolbar.viewportWidth, `the page scrolls sideways: ${toolbar.scrollWidth} px in ${toolbar.viewportWidth}`);
      assert.ok(toolbar.left >= 0, `"Run again" starts at ${toolbar.left} px, cut at the left edge`);
      const matrix = await layout('.eval-run .scroll-box.matrix');
      assert.ok(matrix, 'the confusion matrix is in a box of its own');
      assert.ok(matrix.right <= matrix.viewportWidth + 0.5, `the matrix box ends at ${matrix.right} px, past the view's ${matrix.viewportWidth}`);
      const actions = await layout('.eval-run .actions');
      assert.ok(actions && actions.right <= actions.viewportWidth + 0.5, `the evaluation's buttons end at ${actions?.right} px`);
      await screenshot('results-narrow-evaluation');
      // A clip run in the same narrow column: its facts wrap instead of widening the page.
      await vscode.window.showTextDocument(model.document, vscode.ViewColumn.One);
      await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', vscode.Uri.file(join(root, 'clip.gif')));
      const facts = await waitFor('the clip run in the narrow view', () => layout('.image-run .preprocess'));
      assert.ok(facts.scrollWidth <= facts.viewportWidth, `the page scrolls sideways with a clip run: ${facts.scrollWidth} px in ${facts.viewportWidth}`);
      assert.ok(facts.right <= facts.viewportWidth + 0.5, `the preprocessing line ends at ${facts.right} px`);
      await screenshot('results-narrow-clip');
    } finally {
      await vscode.commands.executeCommand('workbench.action.evenEditorWidths');
    }
  });
});
