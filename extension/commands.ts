// The commands of the editor experience: new file from template, open the prelude, restart the server.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { preludeText } from '../language/core/prelude';
import { commands, preludeScheme, preludeUri } from '../contracts/server';
import { newFileFromTemplate } from './templates';

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    // The prelude opens read-only: a document provided by content, not a file.
    vscode.workspace.registerTextDocumentContentProvider(preludeScheme, { provideTextDocumentContent: () => preludeText }),
    vscode.commands.registerCommand('resnetStudio.newFromTemplate', (file?: string) => newFileFromTemplate(context.extensionUri, file)),
    vscode.commands.registerCommand('resnetStudio.openPrelude', async () => {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(preludeUri));
      return vscode.window.showTextDocument(document);
    }),
    vscode.commands.registerCommand('resnetStudio.restartServer', () => client.restart()),
    vscode.commands.registerCommand(commands.revealEdit, (uri: string, range: { start: { line: number; character: number } }) => {
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
      if (!editor) return;
      const at = new vscode.Position(range.start.line, range.start.character);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
  );
}
