/// <reference types="mocha" />
// The first end-to-end check: a real VS Code knows `.resnet` files as the `resnet` language and
// activates ResNet Studio for them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hasRunner, screenshot, workbenchText } from '../host/runnerLink';
import { waitFor } from '../host/wait';
import { openFile, ourExtension, resnetFiles, waitForActivation } from '../host/workspace';

suite('activation', () => {
  test('a .resnet file opens as the resnet language and activates the extension', async () => {
    const [first] = await resnetFiles();
    assert.ok(first, 'the test workspace has no .resnet file');

    const editor = await openFile(first);
    assert.equal(editor.document.languageId, 'resnet');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), first.toString());

    const extension = await waitForActivation();
    assert.equal(extension.isActive, true);
    assert.equal(ourExtension().packageJSON.name, 'resnet-studio');

    if (hasRunner()) {
      // What the user sees: the status bar names the language by its alias.
      await waitFor('the status bar language indicator to read "ResNet"', async () =>
        (await workbenchText('#status\\.editor\\.mode'))?.some((text) => text.trim() === 'ResNet'),
      );
    }
    await screenshot('activation-resnet-file-open');
  });
});
