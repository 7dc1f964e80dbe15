/// <reference types="mocha" />
// The extension as users install it: tools/test.mjs `vsix` packages linux-x64 (tools/package.mjs),
// unpacks the VSIX and runs `node test/e2e/run.mjs --extension <unpacked>/extension --grep smoke-vsix`.
// One pass over each feature on the packaged bundles and native modules: a diagnostic on a broken
// file, a hover with a shape, the preview drawing, inference on the bundled Fashion-MNIST model with
// its top-1 label and the EP that ran. The screenshots are the README's (tools/screenshots.mjs).
// Against the source tree (a plain e2e run) the suite skips itself: the other suites cover that.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ImageRunOutcome } from '../../../extension/inference';
import { hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { waitFor } from '../host/wait';
import { openFile, ourExtension, waitForActivation, waitForDiagnostics } from '../host/workspace';

async function pageShows(description: string, selector: string, needle: string, includeWebviews = false): Promise<void> {
  if (!hasRunner()) return;
  await waitFor(description, async () => (await workbenchText(selector, { includeWebviews }))?.some((text) => text.includes(needle)), { timeoutMs: 45_000 });
}

function positionOf(document: vscode.TextDocument, needle: string): vscode.Position {
  const at = document.getText().indexOf(needle);
  assert.ok(at >= 0, `'${needle}' is in ${document.uri.path}`);
  return document.positionAt(at);
}

suite('smoke-vsix', function () {
  let root: string;

  suiteSetup(async function () {
    root = ourExtension().extensionPath;
    if (existsSync(join(root, 'tsconfig.json'))) this.skip();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openFile('resnet50.resnet');
    await waitForActivation();
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('resnetStudio.stopInferenceWorker');
  });

  test('the extension under test is the packaged one: bundles, no sources or maps, this platform’s native code only', () => {
    assert.deepEqual(['extension', 'language', 'engine', 'cli', 'contracts', 'webview', 'test'].filter((dir) => existsSync(join(root, dir))), []);
    assert.deepEqual(readdirSync(join(root, 'dist')).filter((file) => file.endsWith('.map')), []);
    const bin = join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    assert.deepEqual(readdirSync(bin), [process.platform]);
    assert.deepEqual(readdirSync(join(bin, process.platform)), [process.arch]);
    const img = readdirSync(join(root, 'node_modules', '@img')).filter((name) => name.startsWith('sharp-'));
    const expected = [`sharp-${process.platform}-${process.arch}`, `sharp-libvips-${process.platform}-${process.arch}`].filter((name) => process.platform !== 'win32' || !name.includes('libvips'));
    assert.deepEqual(img.sort(), expected.sort());
  });

  test('a broken file gets its diagnostic in the Problems panel', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'resnet', content: 'network tiny {\n  input 3x32x32\n  stem conv(16, kernel=3)\n  body basik(16) x2\n  head linear(10)\n}\n' });
    await vscode.window.showTextDocument(document);
    const diagnostics = await waitForDiagnostics(document.uri, (d) => d.some((x) => x.code === 'RS0101'));
    const unknown = diagnostics.find((d) => d.code === 'RS0101')!;
    assert.equal(unknown.message, "Unknown layer or block 'basik'. Did you mean 'basic'?");
    assert.equal(unknown.severity, vscode.DiagnosticSeverity.Error);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await pageShows('the Problems panel to list it', '.markers-panel .monaco-list-row', "Unknown layer or block 'basik'");
    await screenshot('vsix-diagnostics');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  test('a hover on a layer shows its shape', async () => {
    const editor = await openFile('resnet50.resnet');
    const position = positionOf(editor.document, 'conv1 ').translate(0, 2);
    const hovers = await waitFor('a hover from the language server', async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
      return found.length > 0 && found;
    });
    const markdown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(markdown, /`3×224×224 → 64×112×112`/);
    editor.selection = new vscode.Selection(position, position);
    await vscode.commands.executeCommand('editor.action.showHover');
    await pageShows('the hover to show the shape', '.monaco-hover-content', '3×224×224 → 64×112×112');
    await screenshot('vsix-hover');
    await vscode.commands.executeCommand('editor.action.hideHover').then(undefined, () => undefined);
  });

  test('the preview opens beside the file and draws the network', async function () {
    if (!hasRunner()) this.skip();
    const editor = await openFile('resnet50.resnet');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand('resnetStudio.openPreviewToSide');
    const text = await waitFor('the preview to draw resnet50', async () => {
      const drawn = ((await workbenchText('#pane', { includeWebviews: true })) ?? []).join('\n');
      return drawn.includes('layer3') && drawn.includes('64×112×112') && drawn;
    }, { timeoutMs: 45_000 });
    assert.match(text, /conv 7×7, 64, \/2/);
    assert.match(((await workbenchText('#totals', { includeWebviews: true })) ?? []).join('\n'), /25,557,032 params · 4\.09 GMACs/);
    await screenshot('vsix-preview');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('inference on the bundled Fashion-MNIST model gives the right top-1 label and names the EP that ran', async () => {
    await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
    const model = await openFile('fashion-mnist/resnet20.resnet');
    await vscode.window.showTextDocument(model.document);
    // 0000_9.png is class 9 of Fashion-MNIST's test set (the file name carries the label).
    const image = vscode.Uri.joinPath(model.document.uri, '..', 'images', '0000_9.png');
    const outcome = await vscode.commands.executeCommand<ImageRunOutcome | undefined>('resnetStudio.runInferenceOnImage', image);
    assert.ok(outcome, 'the command returned no result');
    assert.equal(outcome.top[0]!.index, 9);
    assert.equal(outcome.top[0]!.label, 'Ankle boot');
    assert.ok(outcome.top[0]!.probability > 0.9, `top-1 probability ${outcome.top[0]!.probability}`);
    assert.equal(outcome.ep, 'cpu');
    await pageShows('the results view to show the label', '.image-run .top1-label', 'Ankle boot (', true);
    await pageShows('the results view to name the EP that ran', '.image-run .ep', 'cpu (requested cpu', true);
    await screenshot('vsix-inference');
  });
});
