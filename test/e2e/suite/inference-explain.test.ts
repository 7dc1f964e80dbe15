/// <reference types="mocha" />
// "See why" and inference from the editor, in a real VS Code on the bundled Fashion-MNIST model: the
// class map over the image the network saw with its slider and class choice, the true class read from
// the file name, Time Layers (per layer and per stage), a folder evaluation's confusion matrix with
// class names on both axes in dark, light and high-contrast themes and its mistakes with file names,
// true labels, class maps and a click that opens them, a network without weights explained in a card
// with a dry run, and the execution-provider picker marking what this machine can run.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvalOutcome, ImageRunOutcome } from '../../../extension/inference';
import type { InferenceResult } from '../../../contracts/inference-result';
import { flattenLayers } from '../../../language/core/walk';
import { analyze } from '../../../language/core/analysis';
import { click, hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { waitFor } from '../host/wait';
import { openFile, waitForActivation, workspaceRoot } from '../host/workspace';

const MODEL = 'fashion-mnist/resnet20.resnet';
const IMAGES = 'fashion-mnist/images';

async function viewText(selector: string): Promise<string[]> {
  return (await workbenchText(selector, { includeWebviews: true })) ?? [];
}

async function viewShows(description: string, selector: string, accept: (texts: string[]) => boolean, timeoutMs = 20_000): Promise<void> {
  if (!hasRunner()) return;
  await waitFor(description, async () => accept(await viewText(selector)), { timeoutMs });
}

async function theme(name: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', name, vscode.ConfigurationTarget.Global);
}

suite('inference: see why, and from the editor', () => {
  let model: vscode.TextEditor;

  suiteSetup(async () => {
    model = await openFile(MODEL);
    await waitForActivation();
    await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await theme(undefined);
    await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });

  test('an image run shows the class map over what the network saw, with a slider and the top classes, and the true class from the file name', async () => {
    await vscode.window.showTextDocument(model.document);
    const image = vscode.Uri.joinPath(workspaceRoot(), IMAGES, '0000_9.png');
    const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
    assert.ok(outcome, 'the run returned no result');
    await viewShows('the class map figure', '.image-run .class-map figcaption', (t) => t[0]?.includes('class activation map (7×7)') ?? false);
    await viewShows('the class choice among the top classes', '.image-run .map-class', (t) => outcome.top.every((c) => t[0]?.includes(c.label ?? '') ?? false));
    await viewShows('the true class from the file name', '.image-run .true-label', (t) => t[0] === 'Ankle boot (from the file name)');
    await viewShows('a total its parts explain', '.image-run .timings', (t) => /^decode .* \+ preprocess .* \+ run .* \+ (worker start, )?messages and view data .* = [\d.]+ ms from the command to the result$/.test(t[0] ?? ''));
    await screenshot('explain-class-map');
  });

  test('Time Layers gives every layer a time, sortable per layer and per stage', async () => {
    // The preview in the editor's own group, so that it does not cover the results view.
    await vscode.commands.executeCommand('resnetStudio.openPreview', model.document.uri);
    const result = await vscode.commands.executeCommand<InferenceResult | undefined>('resnetStudio.profileLayers');
    assert.ok(result, 'Time Layers returned no result');
    const profile = result.results[0]!.profile!;
    const layers = new Set(flattenLayers(analyze(model.document.getText()).networks[0]!).map((l) => l.name));
    for (const layer of layers) assert.ok(profile.some((p) => p.name === layer), `${layer} has a time`);
    assert.ok(profile.some((p) => p.fusedInto), 'onnxruntime fused some layers, and the profile says so');
    await viewShows('the layer table', '.image-run .profile', (t) => (t[0]?.includes('layer1.0.relu') && t[0].includes('fused:')) ?? false);
    if (hasRunner()) {
      await click('.image-run .tab:nth-child(2)', { includeWebviews: true });
      await viewShows('the stage table', '.image-run .profile', (t) => (t[0]?.includes('stem') && t[0].includes('layer3') && t[0].includes('head')) ?? false);
    }
    await screenshot('explain-layer-times-per-stage');
    if (hasRunner()) {
      await click('.image-run .tab:nth-child(1)', { includeWebviews: true });
      await click('.image-run .profile th.sortable', { includeWebviews: true });
      await viewShows('the layers sorted by name', '.image-run .profile tr:nth-child(2) td.name', (t) => t[0] === 'avgpool');
    }
    await screenshot('explain-layer-times-per-layer');
    await vscode.window.showTextDocument(model.document);
  });

  test('a folder evaluation: class names on both axes of the confusion matrix in dark, light and high contrast; mistakes with file, true label, class map, and a click that opens them', async () => {
    const folder = vscode.Uri.joinPath(workspaceRoot(), IMAGES);
    const outcome = await vscode.commands.executeCommand<EvalOutcome | undefined>('resnetStudio.evaluateFolder', folder, model.document.uri);
    assert.ok(outcome && outcome.state === 'done');
    await viewShows('class names as column headers', '.eval-run .confusion th.column', (t) => t.includes('Ankle boot') && t.includes('T-shirt/top'));
    await viewShows('class names as row headers', '.eval-run .confusion th.row-name', (t) => t.includes('Ankle boot') && t.length === 10);
    const mistakes = outcome.total - outcome.correct;
    if (mistakes > 0) {
      await viewShows('mistakes with file name and true label', '.eval-run .mistake-caption', (t) => t.length === Math.min(12, mistakes) && t.every((c) => /\.png/.test(c) && c.includes('true: ') && c.includes('predicted: ')));
      await viewShows('a class map beside each mistake', '.eval-run .mistake-pictures canvas', (t) => t.length === Math.min(12, mistakes), 40_000);
    }
    if (hasRunner()) {
      await click('.eval-run .confusion', { includeWebviews: true });
      for (const [name, file] of [['Default Dark Modern', 'dark'], ['Default Light Modern', 'light'], ['Default High Contrast', 'high-contrast']] as const) {
        await theme(name);
        await new Promise((resolve) => setTimeout(resolve, 800));
        await screenshot(`explain-confusion-${file}`);
      }
      await theme(undefined);
      if (mistakes > 0) {
        await click('.eval-run .mistake-caption', { includeWebviews: true });
        await screenshot('explain-mistakes');
        await click('.eval-run .mistake img', { includeWebviews: true });
        await waitFor('the mistake image to open', () => {
          const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
          return input?.uri?.path.endsWith('.png');
        });
        await screenshot('explain-mistake-opened');
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      }
    }
  });

  test('a network without weights explains where weights come from in a card with actions, and runs dry with random weights', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'resnet-no-weights-'));
    const text = readFileSync(join(workspaceRoot().fsPath, MODEL), 'utf8').replace(/\n\s*weights "resnet20\.safetensors"/, '').replace('"labels.txt"', JSON.stringify(join(workspaceRoot().fsPath, 'fashion-mnist', 'labels.txt')));
    const copy = join(folder, 'resnet20.resnet');
    writeFileSync(copy, text);
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(copy));
      await vscode.window.showTextDocument(document);
      const outcome = await vscode.commands.executeCommand('resnetStudio.runInference');
      assert.equal(outcome, undefined, 'nothing runs without weights, and no image is asked for');
      await viewShows('the failure card', '.failure', (t) => (t[0]?.includes('has no weights') && t[0].includes('save_file(torchvision.models.resnet50(weights="DEFAULT").state_dict(), "resnet50.safetensors")') && t[0].includes('Dry run with random weights')) ?? false);
      await screenshot('explain-missing-weights-card');
      if (hasRunner()) {
        await click('.failure .failure-actions :nth-child(2)', { includeWebviews: true });
        await waitFor('the image quick pick', async () => (await workbenchText('.quick-input-widget .monaco-list-row'))?.some((row) => /\d{4}_\d\.png/.test(row)));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        await viewShows('a dry run with random weights', '.image-run .warning', (t) => t[0] === 'Random weights: the scores mean nothing.', 40_000);
        await screenshot('explain-dry-run');
      }
    } finally {
      if (vscode.window.activeTextEditor?.document.uri.fsPath === copy) await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('the execution-provider picker marks which providers this machine can run', async function () {
    if (!hasRunner()) this.skip();
    void vscode.commands.executeCommand('resnetStudio.chooseExecutionProvider');
    const rows = await waitFor('the picker', async () => {
      const texts = await workbenchText('.quick-input-widget .monaco-list-row');
      return texts && texts.some((r) => r.includes('Can run on this machine')) && texts;
    });
    assert.ok(rows.some((r) => r.includes('cpu') && r.includes('Can run on this machine')), rows.join('\n'));
    assert.ok(rows.some((r) => r.includes('coreml') && r.includes('Cannot run on this machine: macOS only')), rows.join('\n'));
    await screenshot('explain-ep-picker');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  });
});
