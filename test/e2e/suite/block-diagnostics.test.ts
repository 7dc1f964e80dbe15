/// <reference types="mocha" />
// Errors where the bug is, in a real VS Code: a residual add that fails in one instance of a block is
// squiggled on the block's own `+ identity` line (naming the instance) as well as at the call; the
// hover there says so and keeps VS Code's "Quick Fix…" link in view; the verified fix is applied; and a
// fix at the cause far from the error (a block's forgotten `* expansion`, reported at the classifier)
// reveals the line it edits.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { commandShows } from '../host/commands';
import { waitFor } from '../host/wait';
import { waitForActivation, waitForDiagnostics } from '../host/workspace';

const mismatch = `# '+ identity' fits layer1 but not layer2.0 (stride 2, twice the channels).
block plain(planes, stride=1) {
  conv1 conv(planes, stride=stride, padding=1)
  bn1   batchnorm
  relu
  conv2 conv(planes, padding=1)
  bn2   batchnorm
  + identity
  relu
}

network net {
  input 3x32x32
  conv1   conv(16, padding=1)
  layer1  plain(16) x2
  layer2  plain(32) x2 stride=2
  avgpool avgpool
  fc      linear(10)
}
`;

const forgotten = `# conv3 forgot '* expansion': the classifier gets 64 features instead of 256.
block bottleneck4(planes, stride=1) {
  expansion 4
  conv1 conv(planes, kernel=1)
  bn1   batchnorm
  relu
  conv2 conv(planes, stride=stride, padding=1)
  bn2   batchnorm
  relu
  conv3 conv(planes, kernel=1)
  bn3   batchnorm
  + shortcut
  relu
}

network net {
  input 3x32x32
  conv1   conv(64, padding=1)
  layer1  bottleneck4(64) x2
  avgpool avgpool
  fc      linear(10, in=256)
}
`;

const lineOf = (document: vscode.TextDocument, needle: string) => document.getText().split('\n').findIndex((l) => l.includes(needle));

async function open(content: string): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'resnet', content }));
  await waitForActivation();
  return editor;
}

async function quickFixes(document: vscode.TextDocument, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return waitFor('quick fixes from the language server', async () => {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, range, vscode.CodeActionKind.QuickFix.value);
    return actions.length > 0 && actions;
  });
}

suite('block diagnostics', () => {
  let editor: vscode.TextEditor;

  suiteSetup(async () => {
    editor = await open(mismatch);
  });

  suiteTeardown(async () => {
    for (const document of vscode.workspace.textDocuments.filter((d) => d.isUntitled && d.languageId === 'resnet')) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test("a mismatch inside a block is reported on the block's own line, naming the instance, and at the call", async () => {
    const diagnostics = await waitForDiagnostics(editor.document.uri, (d) => d.length >= 2);
    const addLine = lineOf(editor.document, '  + identity');
    const callLine = lineOf(editor.document, 'layer2  plain');
    const onBlock = diagnostics.find((d) => d.range.start.line === addLine);
    const atCall = diagnostics.find((d) => d.range.start.line === callLine);
    assert.ok(onBlock, `a diagnostic on the '+ identity' line (got lines ${diagnostics.map((d) => d.range.start.line).join(', ')})`);
    assert.ok(atCall, 'and one at the call');
    assert.equal(onBlock.code, 'RS0501');
    assert.match(onBlock.message, /^In layer2\.0: Residual add: the main path gives 32×16×16 but the identity shortcut carries 16×32×32/);
    assert.equal(diagnostics.filter((d) => d.range.start.line === lineOf(editor.document, 'layer1  plain')).length, 0, 'layer1 fits: no error there');
    assert.ok(onBlock.relatedInformation?.some((r) => r.location.range.start.line === callLine), 'the block line points at the call');
    assert.ok(atCall.relatedInformation?.some((r) => r.location.range.start.line === addLine), 'the call points at the block line');

    editor.selection = new vscode.Selection(addLine, 2, addLine, 2);
    editor.revealRange(new vscode.Range(addLine, 0, addLine, 0));
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    if (hasRunner()) {
      await waitFor('the Problems panel to list both reports', async () => ((await workbenchText('.markers-panel .monaco-list-row')) ?? []).filter((t) => t.includes('Residual add')).length >= 2);
    }
    await screenshot('block-diagnostics-add-line');
  });

  test("the hover on the block's add line says which instance fails, and the Quick Fix link stays in view", async () => {
    const addLine = lineOf(editor.document, '  + identity');
    const position = new vscode.Position(addLine, 4);
    const hovers = await waitFor('a hover from the language server', async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
      return found.length > 0 && found;
    });
    const markdown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(markdown, /fails in layer2\.0\*\* \(RS0501\)/);
    assert.match(markdown, /`32×16×16` \+ shortcut of `16×32×32`/, 'the shapes of the failing instance');
    editor = await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
    editor.selection = new vscode.Selection(position, position);
    await commandShows('the hover with the failing instance', 'editor.action.showHover', '.monaco-hover-content', 'fails in layer2.0');
    if (hasRunner()) {
      // VS Code's status bar of a problem hover: the link must be visible, not scrolled away.
      await waitFor('the Quick Fix link in the hover', async () => (await workbenchText('.monaco-hover .hover-row.status-bar'))?.some((t) => t.includes('Quick Fix')));
    }
    await screenshot('block-diagnostics-hover');
    await vscode.commands.executeCommand('editor.action.hideHover').then(undefined, () => undefined);
  });

  test("the verified quick fix '+ shortcut' removes the error and projects in layer2.0 only", async () => {
    const addLine = lineOf(editor.document, '  + identity');
    editor.selection = new vscode.Selection(addLine, 4, addLine, 4);
    await commandShows('the quick-fix menu', 'editor.action.quickFix', '.action-widget', "Use '+ shortcut'");
    await screenshot('block-diagnostics-quick-fix-menu');
    await vscode.commands.executeCommand('hideCodeActionWidget');

    const actions = await quickFixes(editor.document, new vscode.Range(addLine, 4, addLine, 4));
    assert.deepEqual(
      actions.map((a) => a.title),
      ["Use '+ shortcut' (a 1×1 conv + BN where the shape changes)"],
      'one fix, the one that works',
    );
    const [fix] = actions;
    assert.ok(fix.edit && fix.isPreferred);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    await waitForDiagnostics(editor.document.uri, (d) => d.length === 0);
    assert.equal(editor.document.lineAt(addLine).text.trim(), '+ shortcut');
    const lenses = await waitFor('the totals CodeLens', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      return found.length > 0 && found;
    });
    // 42,618 params before, + one projection (16 → 32: 512 conv weights + 64 BN) in layer2.0 only.
    assert.ok(lenses.some((l) => l.command?.title.startsWith('43,194 params')), lenses.map((l) => l.command?.title).join(' | '));
    await screenshot('block-diagnostics-fixed');
  });

  test('a fix at the cause, far from the error, is revealed: the classifier’s error fixes the block’s conv3', async () => {
    const other = await open(forgotten);
    const fcLine = lineOf(other.document, 'fc      linear');
    const convLine = lineOf(other.document, 'conv3 conv(planes');
    const [diagnostic] = await waitForDiagnostics(other.document.uri, (d) => d.some((x) => x.code === 'RS0506'));
    assert.equal(diagnostic.range.start.line, fcLine);
    const actions = await quickFixes(other.document, diagnostic.range);
    assert.deepEqual(actions.map((a) => a.title), ["Multiply 'conv3' by the block's expansion: planes * expansion"], 'the cause, not "Change in to 64"');
    other.selection = new vscode.Selection(fcLine, 2, fcLine, 2);
    await commandShows('the quick-fix menu at the classifier', 'editor.action.quickFix', '.action-widget', "Multiply 'conv3'");
    await screenshot('block-diagnostics-cause-fix-menu');
    await vscode.commands.executeCommand('hideCodeActionWidget');
    const [fix] = actions;
    assert.ok(fix.edit && fix.command, 'the fix reveals what it edits');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    await waitForDiagnostics(other.document.uri, (d) => d.length === 0);
    assert.equal(other.document.lineAt(convLine).text.trim(), 'conv3 conv(planes * expansion, kernel=1)');
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, convLine, 'the cursor went to the edited line');
    await screenshot('block-diagnostics-cause-fixed');
  });
});
