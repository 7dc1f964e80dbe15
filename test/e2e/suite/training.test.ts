/// <reference types="mocha" />
// Training from VS Code on a copy of the bundled Fashion-MNIST ResNet-20 and 384 images written from
// Debian's dataset-fashion-mnist by Debian's Python: the "Train…" CodeLens opens the form; a bad value
// is refused in the form; Start trains with PyTorch in its own process while the view shows the
// progress and the charts grow epoch by epoch; Stop ends it after a step and keeps the checkpoint;
// "Use these weights" writes the weights line, and evaluating a folder from the editor then uses them
// (the same accuracy as `resnet-studio eval --weights` on the written file). The examples are not edited.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvalOutcome } from '../../../extension/inference';
import { click, fill, hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { waitFor } from '../host/wait';
import { openFile, ourExtension, waitForActivation, workspaceRoot } from '../host/workspace';

const FOLDER = 'training-e2e';
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** The first `count` Fashion-MNIST training images as NNNNN_<class>.png, written with PIL. */
function writeImages(out: string, count: number): void {
  const script = [
    'import gzip, os, sys',
    'from PIL import Image',
    'src, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])',
    "images = gzip.open(os.path.join(src, 'train-images-idx3-ubyte.gz')).read()[16:]",
    "labels = gzip.open(os.path.join(src, 'train-labels-idx1-ubyte.gz')).read()[8:]",
    'os.makedirs(out, exist_ok=True)',
    'for i in range(count):',
    "    Image.frombytes('L', (28, 28), images[i * 784:(i + 1) * 784]).save(os.path.join(out, f'{i:05d}_{labels[i]}.png'))",
  ].join('\n');
  execFileSync('/usr/bin/python3', ['-c', script, FASHION_MNIST, out, String(count)], { timeout: 60_000 });
}

const webviewText = async (selector: string) => ((await workbenchText(selector, { includeWebviews: true })) ?? []).join('\n');

suite('training', function () {
  this.timeout(300_000);
  let root: string;
  let file: vscode.Uri;

  suiteSetup(async function () {
    if (!hasRunner()) this.skip();
    root = join(workspaceRoot().fsPath, FOLDER);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root);
    writeImages(join(root, 'train'), 384);
    const source = readFileSync(join(workspaceRoot().fsPath, 'fashion-mnist', 'resnet20.resnet'), 'utf8')
      .replace('weights "resnet20.safetensors"', 'weights "../fashion-mnist/resnet20.safetensors"')
      .replace('labels  "labels.txt"', 'labels  "../fashion-mnist/labels.txt"');
    writeFileSync(join(root, 'net.resnet'), source);
    file = vscode.Uri.file(join(root, 'net.resnet'));
    await openFile(file);
    await waitForActivation();
  });

  suiteTeardown(async () => {
    if (!root) return;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file?.fsPath);
    if (document?.isDirty) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(root, { recursive: true, force: true });
  });

  test('the Train… CodeLens opens the form, which refuses a bad value where it is typed', async () => {
    await waitFor('the Train… CodeLens', async () => (await workbenchText('.codelens-decoration'))?.some((t) => t.includes('Train…')), { timeoutMs: 30_000 });
    assert.equal(await click('.codelens-decoration a:has-text("Train…")'), true);
    await waitFor('the training form', async () => (await webviewText('#form h1')).includes('Train fashion_resnet20'));
    await waitFor('the Python that trains', async () => /^python: .*torch 1\./.test(await webviewText('#python')), { timeoutMs: 60_000 });
    assert.equal(await fill('#field-data input', 'train', { includeWebviews: true }), true);
    assert.equal(await fill('#field-epochs input', 'ten', { includeWebviews: true }), true);
    assert.equal(await click('#start', { includeWebviews: true }), true);
    await waitFor('the form to refuse the epochs', async () => (await webviewText('#invalid')) === "--epochs must be a whole number of at least 1, not 'ten'");
    await screenshot('training-form-invalid');
  });

  test('a run from the form shows its progress live, stops on Stop with its checkpoint, and its weights are used', async () => {
    // Long enough not to end by itself: it is stopped once the charts have two epochs.
    const fields: [string, string][] = [['data', 'train'], ['val', '../fashion-mnist/images'], ['epochs', '40'], ['batch', '32'], ['lr', '0.02'], ['out', 'out/net.safetensors']];
    for (const [name, value] of fields) assert.equal(await fill(`#field-${name} input`, value, { includeWebviews: true }), true, `no field ${name}`);
    await screenshot('training-form');
    assert.equal(await click('#start', { includeWebviews: true }), true);

    await waitFor('a step in the progress line', async () => /^epoch \d+\/40 · step \d+\/12 · \d+ images\/s · lr [\d.e-]+ · ETA \d+:\d\d$/.test(await webviewText('.run .progress-line')), { timeoutMs: 90_000 });
    const rows = async () => (await workbenchText('.run table.epochs tr', { includeWebviews: true }))?.length ?? 0;
    await waitFor('an epoch in the table', async () => (await rows()) >= 2, { timeoutMs: 90_000 });
    const [rowsBefore, chartBefore] = [await rows(), await webviewText('.run .chart.loss h3')];
    await waitFor('one more epoch in the table', async () => (await rows()) > rowsBefore, { timeoutMs: 90_000 });
    await waitFor('the loss chart to follow', async () => (await webviewText('.run .chart.loss h3')) !== chartBefore);
    assert.match(await webviewText('.run .legend'), /training, per step\s+training, per epoch\s+validation/);
    assert.match(await webviewText('.run .state'), /^running$/);
    await screenshot('training-live');

    assert.equal(await click('.run vscode-button:has-text("Stop")', { includeWebviews: true }), true);
    await waitFor('the run to stop', async () => (await webviewText('.run .state')) === 'stopped', { timeoutMs: 60_000 });
    const out = join(root, 'out', 'net.safetensors');
    for (const written of [out, join(root, 'out', 'net.last.safetensors'), join(root, 'out', 'net.last.state.pt'), join(root, 'out', 'net.log.json')]) {
      assert.ok(existsSync(written), `${written} was not written`);
    }
    const log = JSON.parse(readFileSync(join(root, 'out', 'net.log.json'), 'utf8')) as { status: string; epochs: unknown[] };
    assert.equal(log.status, 'stopped');
    assert.ok(log.epochs.length >= 2);

    assert.equal(await click('.run vscode-button.use-weights', { includeWebviews: true }), true);
    const document = await vscode.workspace.openTextDocument(file);
    await waitFor('the weights line to name the trained weights', () => document.getText().includes('weights "out/net.safetensors"'));
    await waitFor('the view to say the weights are used', async () => (await webviewText('.run .used')).includes('now declares weights'));
    await screenshot('training-weights-used');

    // Evaluating from the editor now runs the trained weights: the CLI on the written file agrees.
    const images = vscode.Uri.file(join(workspaceRoot().fsPath, 'fashion-mnist', 'images'));
    const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('resnetStudio.evaluateFolder', images, file, 'fashion_resnet20');
    assert.ok(outcome && outcome.state === 'done', 'the evaluation did not finish');
    const reference = JSON.parse(
      execFileSync(process.execPath, [join(ourExtension().extensionPath, 'dist', 'cli.js'), 'eval', join(workspaceRoot().fsPath, 'fashion-mnist', 'resnet20.resnet'), images.fsPath, '--weights', out, '--ep', 'cpu', '--json'], {
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        timeout: 60_000,
      }),
    ) as { correct: number; total: number };
    assert.equal(outcome.total, reference.total);
    assert.equal(outcome.correct, reference.correct);
  });
});
