/// <reference types="mocha" />
// Workspace Trust: in Restricted Mode the language features work but inference and training do not
// run, and the user is told why. Only in a run with `node test/e2e/run.mjs --restricted --grep restricted`; a
// normal (trusted) run has no such suite.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { waitFor } from '../host/wait';
import { openFile, waitForActivation, workspaceRoot } from '../host/workspace';

if (process.env.RESNET_E2E_RESTRICTED === '1') {
  suite('inference in restricted mode', () => {
    test('the workspace is untrusted, language features answer, and inference is refused with an explanation', async () => {
      assert.equal(vscode.workspace.isTrusted, false, 'the restricted run should open an untrusted workspace');
      const editor = await openFile('fashion-mnist/resnet20.resnet');
      await waitForActivation();

      // A language feature: the hover on a layer name comes from the language server.
      const line = editor.document.getText().split('\n').findIndex((l) => l.includes('conv1'));
      const character = editor.document.lineAt(line).text.indexOf('conv1') + 1;
      const hovers = await waitFor('a hover from the language server', async () => {
        const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, character));
        return found.length > 0 && found;
      });
      assert.ok(hovers.length > 0);

      await vscode.commands.executeCommand('notifications.clearAll');
      const image = vscode.Uri.joinPath(workspaceRoot(), 'fashion-mnist', 'images', '0000_9.png');
      assert.equal(await vscode.commands.executeCommand('resnetStudio.runInferenceOnImage', image), undefined);
      assert.equal(await vscode.commands.executeCommand('resnetStudio.evaluateFolder', vscode.Uri.joinPath(workspaceRoot(), 'fashion-mnist', 'images'), editor.document.uri), undefined);
      if (hasRunner()) {
        await vscode.commands.executeCommand('notifications.showList');
        await waitFor('the Restricted Mode explanation with its action', async () =>
          (await workbenchText('.notifications-center .notification-list-item'))?.some((t) => t.includes('Restricted Mode') && t.includes('Manage Workspace Trust')),
        );
        const results = await workbenchText('.image-run, .eval-run', { includeWebviews: true });
        assert.deepEqual(results ?? [], [], 'nothing reached the results view');
      }
      await screenshot('inference-restricted-mode');
      await vscode.commands.executeCommand('notifications.hideList');
    });

    test('training is refused with an explanation, and no training view opens', async () => {
      const editor = await openFile('fashion-mnist/resnet20.resnet');
      await vscode.commands.executeCommand('notifications.clearAll');
      assert.equal(await vscode.commands.executeCommand('resnetStudio.train', editor.document.uri, 'fashion_resnet20'), undefined);
      if (hasRunner()) {
        await vscode.commands.executeCommand('notifications.showList');
        await waitFor('the Restricted Mode explanation for training', async () =>
          (await workbenchText('.notifications-center .notification-list-item'))?.some((t) => t.includes('Training runs Python') && t.includes('Manage Workspace Trust')),
        );
        assert.deepEqual((await workbenchText('#form h1', { includeWebviews: true })) ?? [], [], 'a training view opened');
        await vscode.commands.executeCommand('notifications.hideList');
      }
    });
  });
}
