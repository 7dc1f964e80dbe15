/// <reference types="mocha" />
// The editor experience in a real VS Code: a broken example's diagnostic in the Problems panel, its
// quick fix, a hover with the shape, inlay hints, the totals CodeLens, a new file from a template, and
// the language server coming back after it dies. The suite works on an unsaved copy of an example, so
// nothing it types can reach the examples folder.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { commandShows } from '../host/commands';
import { waitFor } from '../host/wait';
import { waitForActivation, waitForDiagnostics, workspaceRoot } from '../host/workspace';

const example = 'resnet18.resnet';

async function replaceInDocument(editor: vscode.TextEditor, search: string, replacement: string): Promise<void> {
  const text = editor.document.getText();
  const at = text.indexOf(search);
  assert.ok(at >= 0, `'${search}' is in ${example}`);
  const range = new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + search.length));
  assert.ok(await editor.edit((b) => b.replace(range, replacement)));
}

function lineOf(editor: vscode.TextEditor, needle: string): number {
  const line = editor.document.getText().split('\n').findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `'${needle}' is in the document`);
  return line;
}

async function pageShows(description: string, selector: string, needle: string): Promise<void> {
  if (!hasRunner()) return;
  await waitFor(description, async () => (await workbenchText(selector))?.some((text) => text.includes(needle)));
}

suite('editor', () => {
  let editor: vscode.TextEditor;

  suiteSetup(async () => {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(workspaceRoot(), example)));
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'resnet', content: text }));
    await waitForActivation();
  });

  suiteTeardown(async () => {
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('a broken example shows its diagnostic in the Problems panel', async () => {
    await replaceInDocument(editor, 'basic(64)', 'basik(64)');
    const diagnostics = await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => x.message.includes("'basik'")));
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic.message, "Unknown layer or block 'basik'. Did you mean 'basic'?");
    assert.equal(diagnostic.code, 'RS0101');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await pageShows('the Problems panel to list the unknown block', '.markers-panel .monaco-list-row', "Unknown layer or block 'basik'");
    await screenshot('editor-problems-panel');
  });

  test('the quick fix removes the error', async () => {
    const [diagnostic] = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.code === 'RS0101');
    assert.ok(diagnostic, 'the unknown block is still reported');
    editor = await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
    editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
    await commandShows('the quick-fix menu to offer the fix', 'editor.action.quickFix', '.action-widget', "Change to 'basic'");
    await screenshot('editor-quick-fix');
    await vscode.commands.executeCommand('hideCodeActionWidget');

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === "Change to 'basic'");
    assert.ok(fix?.edit, `the fix is offered (got ${actions.map((a) => a.title).join(', ')})`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await waitForDiagnostics(editor.document.uri, (d) => d.length === 0);
    assert.match(editor.document.getText(), /layer1 {2}basic\(64\) x2/);
  });

  test('a hover on a layer shows its input → output shape', async () => {
    const line = lineOf(editor, 'conv1   conv(64');
    const position = new vscode.Position(line, 3);
    const hovers = await waitFor('a hover from the language server', async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
      return found.length > 0 && found;
    });
    const markdown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(markdown, /`3×224×224 → 64×112×112`/);
    assert.match(markdown, /9,408 params · 118\.01 MMACs · receptive field 7×7 px/);
    editor.selection = new vscode.Selection(position, position);
    await commandShows('the hover to show the shape', 'editor.action.showHover', '.monaco-hover-content', '3×224×224 → 64×112×112');
    await screenshot('editor-hover');
    await vscode.commands.executeCommand('editor.action.hideHover').then(undefined, () => undefined);
  });

  test('inlay hints show each layer line’s output shape, and the setting turns them off', async () => {
    const range = new vscode.Range(0, 0, editor.document.lineCount, 0);
    const hints = await waitFor('inlay hints', async () => {
      const found = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', editor.document.uri, range);
      return found.length > 0 && found;
    });
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.ok(labels.includes('→ 64×112×112'), labels.join(', '));
    assert.ok(labels.includes('→ 1000'), labels.join(', '));
    await pageShows('inlay hints in the editor', '.monaco-editor .view-lines', '512×7×7');
    await screenshot('editor-inlay-hints');

    // The setting turns them off and on again (in the user settings of this throwaway profile).
    const settings = vscode.workspace.getConfiguration('resnetStudio');
    await settings.update('inlayHints.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('inlay hints to go away', async () => (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', editor.document.uri, range)).length === 0);
    } finally {
      await settings.update('inlayHints.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('inlay hints to come back', async () => (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', editor.document.uri, range)).length > 0);
  });

  test('the network CodeLens shows its totals; actions appear only for registered commands', async () => {
    const lenses = await waitFor('CodeLenses', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      return found.length > 0 && found;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('11,689,512 params · 1.81 GMACs · 3×224×224 → 1000'), titles.join(' | '));
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const [title, command] of [['Preview', 'resnetStudio.openPreview'], ['▶ Run inference', 'resnetStudio.runInference'], ['Train…', 'resnetStudio.train']]) {
      assert.equal(titles.includes(title), commands.has(command), `'${title}' shows exactly when ${command} is registered`);
    }
  });

  test('definition opens the read-only prelude; completion and formatting answer through VS Code', async () => {
    const line = lineOf(editor, 'layer1  basic(64)');
    const [definition] = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', editor.document.uri, new vscode.Position(line, 11));
    const target = 'targetUri' in definition ? definition.targetUri : definition.uri;
    assert.equal(target.toString(), 'resnet-prelude:/prelude.resnet');
    const prelude = await vscode.workspace.openTextDocument(target);
    assert.equal(prelude.languageId, 'resnet');
    const range = 'targetRange' in definition ? definition.targetRange : definition.range;
    assert.equal(prelude.getText(range), 'basic');

    const completions = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(line, lineOf(editor, 'layer1') === line ? editor.document.lineAt(line).text.indexOf('(') + 1 : 0));
    const labels = completions.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('stride=') && labels.includes('groups='), labels.join(', '));

    const messy = await vscode.workspace.openTextDocument({ language: 'resnet', content: 'network n{\n input 3x8x8\n  c conv( 4 ,kernel = 3)\n  longer_name batchnorm\n}\n' });
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', messy.uri, { tabSize: 2, insertSpaces: true });
    const edit = new vscode.WorkspaceEdit();
    edit.set(messy.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(messy.getText(), 'network n {\n  input 3x8x8\n  c           conv(4, kernel=3)\n  longer_name batchnorm\n}\n');
    await vscode.window.showTextDocument(messy);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    editor = await vscode.window.showTextDocument(editor.document);
  });

  test('New File from Template opens a torchvision ResNet that analyses cleanly', async () => {
    const opened = await vscode.commands.executeCommand<vscode.TextEditor>('resnetStudio.newFromTemplate', 'resnext50_32x4d');
    assert.equal(opened.document.languageId, 'resnet');
    assert.equal(opened.document.isUntitled, true);
    assert.match(opened.document.getText(), /network resnext50_32x4d/);
    const hints = await waitFor('inlay hints in the new file', async () => {
      const found = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', opened.document.uri, new vscode.Range(0, 0, opened.document.lineCount, 0));
      return found.length > 0 && found;
    });
    assert.ok(hints.length >= 10);
    assert.deepEqual(vscode.languages.getDiagnostics(opened.document.uri), []);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('the language server comes back after it dies, and the user is told once', async () => {
    editor = await vscode.window.showTextDocument(editor.document);
    const serverPids = () =>
      execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('dist/server.js'))
        .map((l) => Number(l.trim().split(/\s+/)[0]));
    const [first] = serverPids();
    assert.ok(first, 'the server runs as a child of the extension host');
    process.kill(first, 'SIGKILL');
    const [second] = await waitFor('a new server process', () => {
      const pids = serverPids().filter((p) => p !== first);
      return pids.length > 0 && pids;
    });
    assert.notEqual(second, first);
    await vscode.commands.executeCommand('notifications.showList');
    await pageShows('the restart notification', '.notifications-center', 'stopped unexpectedly and was restarted');
    await screenshot('editor-server-restarted');

    // A second death restarts it again, without a second notification.
    process.kill(second, 'SIGKILL');
    await waitFor('a third server process', () => serverPids().some((p) => p !== first && p !== second));
    if (hasRunner()) {
      const told = (await workbenchText('.notifications-center .notification-list-item'))?.filter((t) => t.includes('stopped unexpectedly')) ?? [];
      assert.equal(told.length, 1, 'the restart is announced once');
    }
    await vscode.commands.executeCommand('notifications.hideList');
    // Features answer again: a change gets fresh diagnostics.
    await replaceInDocument(editor, 'linear(1000)', 'linear(1000, in=7)');
    const [diagnostic] = await waitForDiagnostics(editor.document.uri, (d) => d.some((x) => x.code === 'RS0506'));
    assert.match(diagnostic.message, /linear declares in=7 but receives 512 features/);
  });
});
