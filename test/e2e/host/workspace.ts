// Helpers for suites that drive VS Code through its API: the extension under test, opening files of
// the test workspace, and waiting for diagnostics.
import * as vscode from 'vscode';
import { waitFor, type WaitOptions } from './wait';

export const EXTENSION_ID = 'resnet-studio.resnet-studio';

export function ourExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded in this VS Code`);
  return extension;
}

/**
 * Waits until VS Code has activated ResNet Studio by itself (no activation is forced here), then
 * rethrows the error if `activate()` threw: `isActive` is true for a failed activation too.
 */
export async function waitForActivation(options?: WaitOptions): Promise<vscode.Extension<unknown>> {
  const extension = await waitFor(`${EXTENSION_ID} to activate`, () => {
    const candidate = ourExtension();
    return candidate.isActive && candidate;
  }, options);
  await extension.activate();
  return extension;
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the e2e run opened no workspace folder');
  return folder.uri;
}

/** The workspace's `.resnet` files, sorted by path. */
export async function resnetFiles(): Promise<vscode.Uri[]> {
  const files = await vscode.workspace.findFiles('**/*.resnet', '**/node_modules/**');
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Opens a file of the workspace (path relative to its root, or a Uri) in an editor and focuses it. */
export async function openFile(file: string | vscode.Uri): Promise<vscode.TextEditor> {
  const uri = typeof file === 'string' ? vscode.Uri.joinPath(workspaceRoot(), file) : file;
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

/**
 * Waits until the diagnostics of `uri` satisfy `accept` (by default: there is at least one) and returns
 * them. Diagnostics arrive asynchronously from the language server, in several batches, so this polls
 * until the wanted state rather than taking the first change event.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean = (diagnostics) => diagnostics.length > 0,
  options?: WaitOptions,
): Promise<readonly vscode.Diagnostic[]> {
  return waitFor(`diagnostics of ${vscode.workspace.asRelativePath(uri)}`, () => {
    const diagnostics = vscode.languages.getDiagnostics(uri);
    return accept(diagnostics) && diagnostics;
  }, options);
}

