/// <reference types="mocha" />
// Inference from VS Code on the bundled Fashion-MNIST model: an image chosen in the quick pick, the
// results view's top-1 label and EP against the CLI's, "Run again" on the warm session, the folder
// evaluation against `resnet-studio eval`, Export CSV, Copy JSON and Cancel pressed in the view, the
// "Choose weights file…" action for a missing weights file, a worker killed mid-run reported and
// replaced, an idle worker shut down, the EP status-bar item and its quick pick, and the WebGPU EP
// (lavapipe) chosen through the setting, and an exported int8 model run through
// resnetStudio.inference.model. The examples are never edited.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { EvalOutcome, ImageRunOutcome } from '../../../extension/inference';
import { writeWeightsDeclaration } from '../../../extension/inference-model';
import { analyze } from '../../../language/core/analysis';
import { click, hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { sleep, waitFor } from '../host/wait';
import { openFile, ourExtension, waitForActivation, workspaceRoot } from '../host/workspace';

const MODEL = 'fashion-mnist/resnet20.resnet';
const IMAGES = 'fashion-mnist/images';

/** The CLI of this repository (dist/cli.js, built with the extension), run to get reference answers. */
function cli<T>(args: string[]): T {
  const repo = ourExtension().extensionPath;
  const out = execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 60_000,
  });
  return JSON.parse(out) as T;
}

async function setEp(ep: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', ep, vscode.ConfigurationTarget.Global);
}

/** The texts of the newest run's elements matching `selector` inside the results webview. */
async function newestRunText(selector: string): Promise<string | undefined> {
  return (await workbenchText(selector, { includeWebviews: true }))?.[0];
}

async function viewShows(description: string, selector: string, accept: (text: string) => boolean): Promise<void> {
  if (!hasRunner()) return;
  await waitFor(description, async () => {
    const text = await newestRunText(selector);
    return text !== undefined && accept(text);
  });
}

/** Mesa's lavapipe from tools/setup-lavapipe.sh, as test/unit/runtime/webgpu.test.ts finds it. */
function lavapipe(): { VK_ICD_FILENAMES: string; LD_LIBRARY_PATH: string } | undefined {
  const cache = process.env.RESNET_STUDIO_LAVAPIPE_DIR ?? join(homedir(), '.cache', 'resnet-studio', 'lavapipe');
  if (!existsSync(join(cache, '.complete'))) return undefined;
  const libraries = join(cache, 'root', 'usr', 'lib', process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu');
  return { VK_ICD_FILENAMES: join(cache, 'lvp_icd.json'), LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
}

interface CliInfer {
  ep: { ran: string };
  results: { image: string; top: { index: number; label: string | null }[] }[];
}

/** A JSON value's keys and kinds of values, without the values: the format. */
/** The JSON's keys and value types; `session.modelCache` is left out: whether the disk cache was used depends on what ran before. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'modelCache').map(([key, v]) => [key, shape(v)]));
  return value === null ? 'null' : typeof value;
}

interface CliEval {
  accuracy: number;
  total: number;
  correct: number;
}

suite('inference', () => {
  let model: vscode.TextEditor;

  suiteSetup(async () => {
    model = await openFile(MODEL);
    await waitForActivation();
    await setEp('cpu');
  });

  suiteTeardown(async () => {
    await setEp(undefined);
    await vscode.commands.executeCommand('resnetStudio.stopInferenceWorker');
  });

  test('an image picked in the quick pick gets the top-1 label and EP the CLI gives; the session is built while it is picked', async () => {
    await vscode.commands.executeCommand('resnetStudio.stopInferenceWorker');
    await vscode.window.showTextDocument(model.document);
    const pending = vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInference');
    if (hasRunner()) {
      await waitFor('the image quick pick to list the shipped images', async () =>
        (await workbenchText('.quick-input-widget .monaco-list-row'))?.some((row) => /\d{4}_\d\.png/.test(row)),
      );
      await screenshot('inference-image-quick-pick');
    } else {
      await sleep(3000);
    }
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const outcome = await pending;
    assert.ok(outcome, 'the command returned no result');
    assert.equal(outcome.cached, true, 'the fresh worker should have built the session before the image was picked');

    const reference = cli<CliInfer>(['infer', join(workspaceRoot().fsPath, MODEL), outcome.image, '--ep', 'cpu', '--json']);
    const expected = reference.results[0]!.top[0]!;
    assert.equal(outcome.top[0]!.index, expected.index);
    assert.equal(outcome.top[0]!.label, expected.label);
    assert.equal(outcome.ep, reference.ep.ran);
    assert.equal(outcome.ep, 'cpu');

    await viewShows('the results view to show the top-1 label', '.image-run .top1-label', (text) => text.startsWith(`${expected.label} (`));
    await viewShows('the results view to show the EP that ran', '.image-run .ep', (text) => text.startsWith('cpu (requested cpu'));
    await screenshot('inference-result');
  });

  test('"Run again" repeats the last image on the warm session and stacks the result in the history', async () => {
    const before = (await workbenchText('.image-run', { includeWebviews: true }))?.length ?? 0;
    const again = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runAgain');
    assert.ok(again, 'run again returned no result');
    assert.equal(again.cached, true, 'the second run should reuse the cached session');
    await viewShows('the results view to mark the session warm', '.image-run', (text) => text.includes('warm (cached session)'));
    if (hasRunner()) {
      await waitFor('a second entry in the history', async () => ((await workbenchText('.image-run', { includeWebviews: true }))?.length ?? 0) > before);
    }
  });

  test('evaluating the shipped image folder gives the accuracy of `resnet-studio eval`', async () => {
    const folder = vscode.Uri.joinPath(workspaceRoot(), IMAGES);
    const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('resnetStudio.evaluateFolder', folder, model.document.uri);
    assert.ok(outcome, 'the evaluation returned no result');
    assert.equal(outcome.state, 'done');
    const reference = cli<CliEval>(['eval', join(workspaceRoot().fsPath, MODEL), folder.fsPath, '--ep', 'cpu', '--json']);
    assert.deepEqual({ accuracy: outcome.accuracy, correct: outcome.correct, total: outcome.total }, { accuracy: reference.accuracy, correct: reference.correct, total: reference.total });
    assert.ok(outcome.total > 0);
    const shown = `${(reference.accuracy * 100).toFixed(2)}% (${reference.correct}/${reference.total})`;
    await viewShows('the results view to show the accuracy', '.eval-run .accuracy', (text) => text === shown);
    if (hasRunner()) {
      const cells = await workbenchText('.eval-run .confusion td.diagonal', { includeWebviews: true });
      assert.ok(cells && cells.length >= 10, 'the confusion matrix has a diagonal cell per class');
    }
    await screenshot('inference-folder-evaluation');
  });

  test('"Export CSV" saves one row per image of the evaluation', async function () {
    if (!hasRunner()) this.skip();
    // The workspace is a temporary copy, so the default target (evaluation.csv at its root) is safe to write.
    const target = vscode.Uri.joinPath(workspaceRoot(), 'evaluation.csv');
    assert.equal(await click('.eval-run .actions vscode-button', { includeWebviews: true }), true);
    await waitFor('the save dialog', async () => (await workbenchText('.quick-input-widget'))?.some((t) => t.length > 0));
    await screenshot('inference-export-csv-dialog');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const csv = await waitFor('the CSV file', async () => {
      try {
        return Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
      } catch {
        return undefined;
      }
    });
    const lines = csv.trimEnd().split('\n');
    assert.equal(lines[0], 'image,target,target_name,predicted,predicted_name,confidence,correct,error');
    assert.equal(lines.length, 1 + readdirSync(join(workspaceRoot().fsPath, IMAGES)).length);
    assert.equal(lines.filter((l) => l.endsWith(',1,')).length, Number(/\((\d+)\//.exec((await newestRunText('.eval-run .accuracy')) ?? '')?.[1]));
  });

  test('"Copy JSON" in the view copies what `resnet-studio infer --json` prints for the same image', async function () {
    if (!hasRunner()) this.skip();
    await vscode.env.clipboard.writeText('');
    assert.equal(await click('.image-run .actions vscode-button', { includeWebviews: true }), true);
    const json = await waitFor('the clipboard to hold the result', async () => {
      const text = await vscode.env.clipboard.readText();
      return text.startsWith('{') && (JSON.parse(text) as CliInfer);
    });
    const image = json.results[0]!.image;
    assert.match(image, /^fashion-mnist\/images\/\d{4}_\d\.png$/, 'named workspace-relative');
    const reference = cli<CliInfer>(['infer', join(workspaceRoot().fsPath, MODEL), join(workspaceRoot().fsPath, image), '--ep', 'cpu', '--json']);
    assert.deepEqual(shape(json), shape(reference));
    const classes = (result: CliInfer) => result.results[0]!.top.map((t) => [t.index, t.label]);
    assert.deepEqual(classes(json), classes(reference));
    assert.equal(json.results[0]!.top.length, 5);
    assert.equal(json.ep.ran, 'cpu');
  });

  test('a folder evaluation is cancelled from the view', async function () {
    if (!hasRunner()) this.skip();
    // Enough copies of the shipped images that the evaluation is still running when Cancel is pressed.
    const folder = mkdtempSync(join(tmpdir(), 'resnet-cancel-'));
    const source = join(workspaceRoot().fsPath, IMAGES);
    for (let copy = 0; copy < 100; copy++) {
      for (const image of readdirSync(source)) copyFileSync(join(source, image), join(folder, `c${copy}-${image}`));
    }
    try {
      const pending = vscode.commands.executeCommand<EvalOutcome | undefined>('resnetStudio.evaluateFolder', vscode.Uri.file(folder), model.document.uri);
      await waitFor('the evaluation to be under way', async () => {
        const done = Number(/^(\d+)\/2000 images/.exec((await newestRunText('.eval-run .progress-text')) ?? '')?.[1] ?? 0);
        return done > 0 && done < 2000;
      });
      assert.equal(await click('.eval-run .actions vscode-button', { includeWebviews: true }), true);
      const outcome = await pending;
      assert.equal(outcome?.state, 'cancelled');
      await viewShows('the view to mark the evaluation cancelled', '.eval-run .meta', (text) => text.endsWith('cancelled'));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a missing weights file offers "Choose weights file…"', async () => {
    // A copy of the model outside the workspace, declaring weights that are not there: the example
    // itself is never edited (the harness answers "Save" to any dirty editor at exit).
    const folder = mkdtempSync(join(tmpdir(), 'resnet-missing-weights-'));
    const text = readFileSync(join(workspaceRoot().fsPath, MODEL), 'utf8').replace('"resnet20.safetensors"', '"missing.safetensors"');
    assert.match(text, /"missing\.safetensors"/);
    const copy = join(folder, 'resnet20.resnet');
    writeFileSync(copy, text);
    try {
      await vscode.commands.executeCommand('notifications.clearAll');
      const outcome = await vscode.commands.executeCommand('resnetStudio.runInference', vscode.Uri.file(copy).toString(), 'fashion_resnet20');
      assert.equal(outcome, undefined, 'nothing runs without weights');
      if (hasRunner()) {
        await vscode.commands.executeCommand('notifications.showList');
        await waitFor('a notification with the "Choose weights file…" action', async () =>
          (await workbenchText('.notifications-center .notification-list-item'))?.some(
            (t) => t.includes('"missing.safetensors"') && t.includes('does not exist') && t.includes('Choose weights file…'),
          ),
        );
      }
      await screenshot('inference-missing-weights');

      // What the action does once a file is chosen: the declaration now names the real weights, and
      // the (unsaved) copy runs.
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(copy));
      const network = analyze(document.getText()).networks[0]!;
      const weights = join(workspaceRoot().fsPath, 'fashion-mnist', 'resnet20.safetensors');
      assert.ok(await writeWeightsDeclaration(document, network, vscode.Uri.file(weights)));
      const declared = relative(folder, weights).split(sep).join('/');
      assert.ok(document.getText().includes(`\n  weights ${JSON.stringify(declared)}\n`), document.getText().slice(0, 400));
      await vscode.window.showTextDocument(document);
      const image = vscode.Uri.joinPath(workspaceRoot(), IMAGES, '0001_2.png');
      const outcome2 = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
      assert.ok(outcome2, 'the copy with the chosen weights runs');
    } finally {
      await vscode.commands.executeCommand('notifications.hideList');
      await vscode.commands.executeCommand('notifications.clearAll');
      if (vscode.window.activeTextEditor?.document.uri.fsPath === copy) {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a worker that dies mid-evaluation is reported, and the next run starts a fresh one', async () => {
    await vscode.window.showTextDocument(model.document);
    const image = vscode.Uri.joinPath(workspaceRoot(), IMAGES, '0002_1.png');
    const first = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
    assert.ok(first?.workerPid, 'a worker ran the first request');

    const folder = mkdtempSync(join(tmpdir(), 'resnet-crash-'));
    const source = join(workspaceRoot().fsPath, IMAGES);
    for (let copy = 0; copy < 200; copy++) {
      for (const name of readdirSync(source)) copyFileSync(join(source, name), join(folder, `c${copy}-${name}`));
    }
    try {
      await vscode.commands.executeCommand('notifications.clearAll');
      const pending = vscode.commands.executeCommand<EvalOutcome | undefined>('resnetStudio.evaluateFolder', vscode.Uri.file(folder), model.document.uri);
      if (hasRunner()) {
        await waitFor('the evaluation to be under way', async () => {
          const done = Number(/^(\d+)\/4000 images/.exec((await newestRunText('.eval-run .progress-text')) ?? '')?.[1] ?? 0);
          return done > 0 && done < 4000;
        });
      } else {
        await sleep(1500);
      }
      process.kill(first.workerPid, 'SIGKILL');
      const outcome = await pending;
      assert.equal(outcome?.state, 'failed');
      if (hasRunner()) {
        await vscode.commands.executeCommand('notifications.showList');
        await waitFor('the crash notification', async () =>
          (await workbenchText('.notifications-center .notification-list-item'))?.some((t) => t.includes('inference worker stopped unexpectedly') && t.includes('SIGKILL')),
        );
        await vscode.commands.executeCommand('notifications.hideList');
        await viewShows('the view to mark the evaluation failed', '.eval-run .meta', (text) => text.endsWith('failed'));
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }

    const second = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
    assert.ok(second, 'the run after the crash returned no result');
    assert.notEqual(second.workerPid, first.workerPid);
    assert.equal(second.cached, false, 'a fresh worker has no cached session');
    assert.equal(second.top[0]!.index, first.top[0]!.index);
  });

  test('an idle worker is shut down after the idle time', async () => {
    const config = vscode.workspace.getConfiguration('resnetStudio');
    await config.update('inference.idleShutdownSeconds', 5, vscode.ConfigurationTarget.Global);
    try {
      await vscode.window.showTextDocument(model.document);
      const image = vscode.Uri.joinPath(workspaceRoot(), IMAGES, '0003_1.png');
      const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
      assert.ok(outcome?.workerPid);
      await waitFor(
        'the idle worker to exit',
        () => {
          try {
            process.kill(outcome.workerPid!, 0);
            return false;
          } catch {
            return true;
          }
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      await config.update('inference.idleShutdownSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('an exported int8 model set in resnetStudio.inference.model runs, and the view says int8', async () => {
    const repo = ourExtension().extensionPath;
    const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-e2e-int8-'));
    const exported = join(scratch, 'fashion-int8.onnx');
    const file = join(workspaceRoot().fsPath, MODEL);
    const images = join(workspaceRoot().fsPath, IMAGES);
    execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'export', file, '-o', exported, '--quantize', 'int8', '--calibrate', images], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      timeout: 120_000,
    });
    const config = vscode.workspace.getConfiguration('resnetStudio');
    await config.update('inference.model', exported, vscode.ConfigurationTarget.Global);
    try {
      await vscode.window.showTextDocument(model.document);
      const image = vscode.Uri.joinPath(workspaceRoot(), IMAGES, '0003_1.png');
      const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
      assert.ok(outcome, 'the run returned no result');
      assert.equal(outcome.precision, 'int8');
      const reference = cli<CliInfer & { precision: string }>(['infer', file, image.fsPath, '--model', exported, '--ep', 'cpu', '--json']);
      assert.equal(reference.precision, 'int8');
      assert.equal(outcome.top[0]!.index, reference.results[0]!.top[0]!.index);
      await viewShows('the results view to say int8 ran', '.image-run .precision', (text) => text === 'int8 (exported model fashion-int8.onnx)');
      await screenshot('inference-int8-model');
    } finally {
      await config.update('inference.model', undefined, vscode.ConfigurationTarget.Global);
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('the status-bar item names the EP setting and changes it through its quick pick', async function () {
    if (!hasRunner()) this.skip();
    await vscode.window.showTextDocument(model.document);
    await setEp('cpu');
    const item = '[id$="resnetstudio.executionprovider" i]';
    // "EP: cpu" for the setting, or "cpu" once a run has shown what ran.
    await waitFor('the status-bar item to show the EP', async () => (await workbenchText(item))?.some((t) => /^(EP: )?cpu$/.test(t.trim())));
    assert.equal(await click(item), true);
    await waitFor('the execution-provider quick pick', async () =>
      (await workbenchText('.quick-input-widget .monaco-list-row'))?.some((row) => row.includes('webgpu') && row.includes('Vulkan')),
    );
    await screenshot('inference-ep-quick-pick');
    // The first choice is auto.
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await waitFor('the setting to become auto', () => vscode.workspace.getConfiguration('resnetStudio').get('executionProvider') === 'auto');
    await waitFor('the status-bar item to follow', async () => (await workbenchText(item))?.some((t) => t.trim() === 'EP: auto'));
    await setEp('cpu');
  });

  test('the WebGPU EP chosen through the setting runs the model (lavapipe)', async function () {
    const vulkan = lavapipe();
    if (!vulkan) {
      if (process.env.CI) assert.fail('lavapipe is not set up: run tools/setup-lavapipe.sh before the tests');
      this.skip();
    }
    // The worker inherits this process's environment when it starts, so restart it with Vulkan's.
    Object.assign(process.env, vulkan);
    await vscode.commands.executeCommand('resnetStudio.stopInferenceWorker');
    await setEp('webgpu');
    const image = vscode.Uri.joinPath(workspaceRoot(), IMAGES, '0000_9.png');
    await vscode.window.showTextDocument(model.document);
    const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
    assert.ok(outcome, 'the WebGPU run returned no result');
    assert.equal(outcome.ep, 'webgpu');
    const reference = cli<CliInfer>(['infer', join(workspaceRoot().fsPath, MODEL), image.fsPath, '--ep', 'cpu', '--json']);
    assert.equal(outcome.top[0]!.index, reference.results[0]!.top[0]!.index);
    await viewShows('the results view to name the WebGPU EP', '.image-run .ep', (text) => text.startsWith('webgpu (requested webgpu'));
    if (hasRunner()) {
      await waitFor('the status bar to name the EP that ran', async () => (await workbenchText('.statusbar-item'))?.some((t) => t.trim() === 'webgpu'));
    }
    await screenshot('inference-webgpu');
  });
});
