/// <reference types="mocha" />
// The network preview in a real VS Code: it opens beside resnet50 at 100 % from the top, draws its
// nodes and the shapes on its edges, reveals a node's statement when clicked and shows its details,
// follows the cursor and edits, keeps its last good diagram through a syntax error, unfolds in place,
// colours by MACs with a legend, lists layers in a folding table with totals, shows a layer's weight
// statistics from the weights file, compares two networks, and looks right in dark, light and high
// contrast themes, and draws the dataflow blocks of DenseNet-121 and CBAM and the clips of R3D-18
// (screenshots of each state in test-results/).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { analyze } from '../../../language/core/analysis';
import { formatCount } from '../../../language/core/format';
import { flattenLayers } from '../../../language/core/walk';
import { click, fill, hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { waitFor } from '../host/wait';
import { openFile, waitForActivation } from '../host/workspace';

/** The text the webview draws: SVG text is part of the pane's innerText. */
async function paneText(): Promise<string> {
  return ((await workbenchText('#pane', { includeWebviews: true })) ?? []).join('\n');
}

async function webviewText(selector: string): Promise<string> {
  return ((await workbenchText(selector, { includeWebviews: true })) ?? []).join('\n');
}

function lineOf(document: vscode.TextDocument, needle: string): number {
  for (let line = 0; line < document.lineCount; line++) if (document.lineAt(line).text.includes(needle)) return line;
  throw new Error(`no line with ${needle}`);
}

async function replaceInDocument(editor: vscode.TextEditor, from: string, to: string): Promise<void> {
  const text = editor.document.getText();
  const start = text.indexOf(from);
  assert.ok(start >= 0, `the document has no "${from}"`);
  const range = new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(start + from.length));
  assert.ok(await editor.edit((edit) => edit.replace(range, to)));
}

async function closePreviews(): Promise<void> {
  const previews = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('resnetStudio.preview'));
  await vscode.window.tabGroups.close(previews);
}

/**
 * Puts the editor's cursor on `line`, so that the preview scrolls the node written there into view,
 * then moves it to the top of the file (where nothing is written that the preview would follow).
 */
async function showInPreview(line: number, id: string): Promise<void> {
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.path.endsWith('resnet50.resnet'))!;
  shown.selection = new vscode.Selection(line, 2, line, 2);
  await waitFor(`${id} to be in view`, async () => ((await workbenchText(`#viewport .cursor[data-id="${id}"]`, { includeWebviews: true })) ?? []).length === 1);
  shown.selection = new vscode.Selection(0, 0, 0, 0);
}

suite('preview', function () {
  let editor: vscode.TextEditor;

  suiteSetup(async function () {
    if (!hasRunner()) this.skip();
    // The same window whatever ran before: no panel, no other editor, the cursor at the top.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    editor = await openFile('resnet50.resnet');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await waitForActivation();
  });

  suiteTeardown(async () => {
    // Edits stay in memory: put the example back as it is on disk.
    if (editor?.document.isDirty) {
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await closePreviews();
  });

  test('"Open Preview to the Side" draws resnet50: stages, layers and the shapes on the edges', async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('resnetStudio.openPreviewToSide');
    const text = await waitFor('the preview to draw resnet50', async () => {
      const t = await paneText();
      return t.includes('maxpool') && t.includes('layer3') && t;
    }, { timeoutMs: 45_000 });
    assert.match(text, /conv1/);
    assert.match(text, /conv 7×7, 64, \/2/, 'a node shows its type and key arguments');
    assert.match(text, /64×112×112/, 'the edge out of conv1 carries its shape');
    assert.match(text, /×6/, 'the folded layer3 stage shows its repeat count');
    assert.match(await webviewText('#totals'), /25,557,032 params · 4\.09 GMACs/);
    assert.equal(await webviewText('#zoom-level'), '100 %', 'it opens at actual size');
    assert.doesNotMatch(text, /…/, 'no text is cut');
    await screenshot('preview-resnet50-dark');
  });

  test('clicking a node selects its statement in the editor', async () => {
    const maxpoolLine = lineOf(editor.document, 'maxpool maxpool');
    assert.notEqual(vscode.window.visibleTextEditors.find((e) => e.document === editor.document)?.selection.active.line, maxpoolLine);
    assert.equal(await click('#viewport .node[data-id="n:maxpool"]', { includeWebviews: true }), true, 'no maxpool node to click');
    const selection = await waitFor('the editor to select the maxpool statement', () => {
      const shown = vscode.window.visibleTextEditors.find((e) => e.document === editor.document);
      return shown?.selection.start.line === maxpoolLine && shown.selection;
    });
    assert.equal(editor.document.getText(selection), 'maxpool maxpool(kernel=3, stride=2, padding=1)');
    const details = await waitFor('the details of maxpool', async () => {
      const t = await webviewText('#details');
      return t.includes('maxpool — maxpool') && t;
    });
    assert.match(details, /Input\s+64×112×112/);
    assert.match(details, /Output\s+64×56×56/);
  });

  test('moving the cursor onto a stage highlights its node', async () => {
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One });
    const line = lineOf(editor.document, 'layer2  bottleneck');
    shown.selection = new vscode.Selection(line, 4, line, 4);
    await waitFor('layer2 to be highlighted', async () => ((await workbenchText('#viewport .node.cursor[data-id="g:layer2"]', { includeWebviews: true })) ?? []).length === 1);
    await waitFor('the details of layer2', async () => /layer2 — bottleneck ×4/.test(await webviewText('#details')));
  });

  test('the diagram follows an edit', async () => {
    await replaceInDocument(editor, 'fc      linear(1000)', 'fc      linear(10)');
    await waitFor('the preview to show the new fc layer instead of the old', async () => {
      const t = await paneText();
      return t.includes('linear 2048→10') && !t.includes('2048→1000');
    });
    assert.match(await webviewText('#totals'), /23,528,522 params/);
  });

  test('a syntax error keeps the last good diagram and says what is wrong', async () => {
    await replaceInDocument(editor, 'bottleneck(256) x6', 'bottleneck(256 x6');
    const problems = await waitFor('the preview to report the error', async () => {
      const t = await webviewText('#problems');
      return t.includes('Showing the last valid diagram') && t;
    });
    assert.match(problems, /RS0001/);
    assert.match(await paneText(), /layer3/, 'the last good diagram is still drawn');
    await screenshot('preview-resnet50-error');
    // Its nodes still lead to their statements (the cursor on bn1's line brings it into view first).
    const bn1Line = lineOf(editor.document, 'bn1     batchnorm');
    await showInPreview(bn1Line, 'n:bn1');
    assert.equal(await click('#viewport .node[data-id="n:bn1"]', { includeWebviews: true }), true);
    await waitFor('the editor to select bn1', () => vscode.window.visibleTextEditors.some((e) => e.document === editor.document && e.selection.start.line === bn1Line));
    await replaceInDocument(editor, 'bottleneck(256 x6', 'bottleneck(256) x6');
    await waitFor('the error to clear', async () => (await webviewText('#problems')) === '');
  });

  test('unfolding a stage and a block shows the projection shortcut beside the main path', async () => {
    await showInPreview(lineOf(editor.document, 'layer2  bottleneck'), 'g:layer2');
    assert.equal(await click('[data-fold="g:layer2"]', { includeWebviews: true }), true, 'layer2 has no unfold button');
    await waitFor('layer2 to show its blocks', async () => (await paneText()).includes('layer2.3'));
    assert.equal(await click('[data-fold="g:layer2.0"]', { includeWebviews: true }), true, 'layer2.0 has no unfold button');
    const text = await waitFor('layer2.0 to show its layers', async () => {
      const t = await paneText();
      return t.includes('downsample.0') && t;
    });
    assert.match(text, /conv 1×1, 512, \/2/, 'the projection conv with its stride');
    assert.match(text, /256×56×56/, 'the skip edge carries the block input');
    // Unfolding keeps the unfolded block where it was: its header is still drawn in the view.
    assert.equal(((await workbenchText('#viewport [data-header="g:layer2.0"]', { includeWebviews: true })) ?? []).length, 1);
    await screenshot('preview-resnet50-unfolded');
  });

  test('colour by MACs: the nodes take the colour of their share, with a legend', async () => {
    assert.equal(await click('#metric-picker', { includeWebviews: true }), true);
    assert.equal(await click('#metric-picker vscode-option[value="macs"]', { includeWebviews: true }), true);
    const legend = await waitFor('the legend', async () => {
      const t = await webviewText('#legend');
      return t.includes('Share of MACs') && t;
    });
    assert.match(legend, /≥ 5 %/);
    assert.ok(((await workbenchText('#viewport .node.heat', { includeWebviews: true })) ?? []).length > 5, 'nodes are coloured');
    await screenshot('preview-resnet50-macs');
    assert.equal(await click('#metric-picker', { includeWebviews: true }), true);
    assert.equal(await click('#metric-picker vscode-option[value="none"]', { includeWebviews: true }), true);
    await waitFor('the legend to go', async () => (await webviewText('#legend')) === '');
  });

  test('light theme', async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
    await waitFor('the light theme to apply', async () => ((await workbenchText('.monaco-workbench.vs')) ?? []).length > 0, { timeoutMs: 15_000 });
    await waitFor('the preview to be drawn', async () => (await paneText()).includes('maxpool'));
    await screenshot('preview-resnet50-light');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default High Contrast', vscode.ConfigurationTarget.Global);
    await waitFor('the high-contrast theme to apply', async () => ((await workbenchText('.monaco-workbench.hc-black')) ?? []).length > 0, { timeoutMs: 15_000 });
    await screenshot('preview-resnet50-high-contrast');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
  });

  test('the layer table: stages that fold, a totals row, every column; sorted by MACs it lists the layers', async () => {
    assert.equal(await click('#toggle-table', { includeWebviews: true }), true);
    const table = await waitFor('the table to list the stages', async () => {
      const t = await webviewText('#table');
      return t.includes('layer4') && t.includes('Total') && t;
    });
    assert.match(table, /Total \(\d+ layers\)/);
    assert.match(table, new RegExp(formatCount(analyze(editor.document.getText()).networks[0].params)), 'the total parameters');
    for (const column of ['Layer (type)', 'Output', 'Params', 'MACs']) assert.ok(table.includes(column), `the ${column} column`);
    assert.equal(await click('#table [data-toggle="g:layer4"]', { includeWebviews: true }), true);
    await waitFor('layer4 to open', async () => (await webviewText('#table')).includes('layer4.2'));
    await screenshot('preview-resnet50-table-light');
    assert.equal(await click('#table th[data-key="macs"]', { includeWebviews: true }), true);
    // The heaviest layer of ResNet-50 by MACs, from the language core itself.
    const network = analyze(editor.document.getText()).networks[0];
    const heaviest = flattenLayers(network).reduce((a, b) => (b.layer.macs > a.layer.macs ? b : a));
    await waitFor(`${heaviest.name} to head the table`, async () => {
      const rows = (await workbenchText('#table tbody tr', { includeWebviews: true })) ?? [];
      return rows[0]?.startsWith(heaviest.name);
    });
    assert.equal(await click('#toggle-table', { includeWebviews: true }), true);
  });

  test('comparing with se_resnet50: totals and per-stage differences', async () => {
    await vscode.commands.executeCommand('resnetStudio.comparePreview', vscode.Uri.joinPath(editor.document.uri, '..', 'se_resnet50.resnet'), 'se_resnet50');
    const comparison = await waitFor('the comparison', async () => {
      const t = await webviewText('#compare');
      return t.includes('vs se_resnet50') && t;
    });
    // The SE blocks add 11.2 % to layer3's parameters (resnet50's fc was edited to 10 classes above).
    assert.match(comparison, /layer3\s+7,098,368\s+7,891,328\s+\+11\.2 %/);
    assert.match(comparison, /Total\s+23,528,522\s+28,088,024/, 'both totals');
    await screenshot('preview-compare-se_resnet50');
    assert.equal(await click('#compare .close', { includeWebviews: true }), true);
    await waitFor('the comparison to close', async () => (await webviewText('#compare')) === '');
  });

  test('export writes an SVG and a PNG of the diagram where the save dialog says', async () => {
    for (const format of ['svg', 'png'] as const) {
      const target = vscode.Uri.joinPath(editor.document.uri, '..', `resnet50.${format}`);
      await vscode.commands.executeCommand(format === 'svg' ? 'resnetStudio.exportPreviewSvg' : 'resnetStudio.exportPreviewPng');
      // code-server's save dialog is a quick input holding the proposed path: accept it.
      await waitFor(`the save dialog for the ${format.toUpperCase()}`, async () => ((await workbenchText('.quick-input-widget .quick-input-title')) ?? []).some((t) => t.includes(`as ${format.toUpperCase()}`)));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      // Until the whole file is there (it may be read while still being written).
      const complete = (b: Uint8Array) => (format === 'svg' ? new TextDecoder().decode(b).trimEnd().endsWith('</svg>') : new TextDecoder().decode(b.slice(-8, -4)) === 'IEND');
      const bytes = await waitFor(`${target.path} to be written`, async () => vscode.workspace.fs.readFile(target).then((b) => complete(b) && b, () => undefined), { timeoutMs: 20_000 });
      if (format === 'svg') {
        const svg = new TextDecoder().decode(bytes);
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.match(svg, />maxpool</, 'the nodes are in the file');
        assert.doesNotMatch(svg, /var\(--vscode/, 'theme colours are resolved, not variables');
      } else {
        assert.deepEqual(Array.from(bytes.slice(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      }
    }
  });

  test("a layer's details show its weights with statistics read from the network's weights file", async () => {
    // In the editor's column, beside the preview (which then follows it).
    const model = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(editor.document.uri, '..', 'fashion-mnist', 'resnet20.resnet')), { viewColumn: vscode.ViewColumn.One });
    await waitFor('the preview to follow to the Fashion-MNIST model', async () => (await webviewText('#network-name')) === 'fashion_resnet20');
    const line = lineOf(model.document, 'fc      linear(10)');
    model.selection = new vscode.Selection(line, 2, line, 2);
    const details = await waitFor('the weights of fc with their statistics', async () => {
      const t = await webviewText('#details');
      return t.includes('Statistics from') && t;
    }, { timeoutMs: 20_000 });
    assert.match(details, /fc\.weight\s+10×64/);
    assert.match(details, /fc\.bias\s+10/);
    assert.match(details, /resnet20\.safetensors/);
    await screenshot('preview-details-weights');
    await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One });
    await waitFor('the preview to show resnet50 again', async () => (await webviewText('#network-name')) === 'resnet50');
  });

  /** Shows an example in the editor's column, the preview following it, and brings a node into view by a search (unfolding what hides it). */
  async function showExample(name: string, find?: string): Promise<void> {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(editor.document.uri, '..', `${name}.resnet`)), { viewColumn: vscode.ViewColumn.One });
    await waitFor(`the preview to follow to ${name}`, async () => (await webviewText('#network-name')) === name, { timeoutMs: 20_000 });
    if (find) {
      assert.equal(await fill('#search input', find, { includeWebviews: true }), true, 'no search field');
      await waitFor(`${find} to be drawn`, async () => ((await workbenchText(`#viewport .node.selected[data-id$="${find}"]`, { includeWebviews: true })) ?? []).length === 1);
    }
  }

  test('dataflow blocks: DenseNet-121 unfolds to a chain of concatenations, CBAM shows its merges and its shared MLP, R3D-18 its clip shapes', async () => {
    await showExample('densenet121');
    assert.equal(await click('#unfold-all', { includeWebviews: true }), true);
    await showExample('densenet121', 'denselayer2.out');
    const dense = await paneText();
    assert.match(dense, /cat/, 'a concatenation is drawn as a cat pill');
    assert.match(dense, /96\+32/, 'with the channels of its inputs');
    assert.match(dense, /128×56×56/, 'and its output shape on the edge out');
    await screenshot('preview-densenet121-unfolded');
    assert.equal(await click('#fold-all', { includeWebviews: true }), true);

    await showExample('cbam_resnet50', 'ChannelGate.attention');
    const cbam = await paneText();
    assert.match(cbam, /attention/);
    assert.match(cbam, /shared ×2/, 'the MLP applied twice carries a badge');
    assert.match(cbam, /= mlp, same weights/, 'its second use names it');
    await screenshot('preview-cbam_resnet50');
    assert.equal(await fill('#search input', '', { includeWebviews: true }), true);

    await showExample('r3d_18');
    const clip = await paneText();
    assert.match(clip, /3×16×112×112/, 'the input clip C×T×H×W');
    assert.match(clip, /64×16×56×56/, 'an edge carries C×T×H×W');
    await screenshot('preview-r3d_18');

    await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One });
    await waitFor('the preview to show resnet50 again', async () => (await webviewText('#network-name')) === 'resnet50');
  });

  test('the Preview CodeLens above the network opens it', async () => {
    await closePreviews();
    // (While a webview's frame is torn down the runner's query can fail: waitFor asks again.)
    await waitFor('the preview to close', async () => !(await paneText()).includes('maxpool'));
    const lenses = await waitFor('the Preview CodeLens', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      return all?.find((lens) => lens.command?.command === 'resnetStudio.openPreview');
    });
    await vscode.commands.executeCommand(lenses.command!.command, ...(lenses.command!.arguments ?? []));
    await waitFor('the preview to draw resnet50', async () => (await paneText()).includes('maxpool'), { timeoutMs: 30_000 });
  });
});
