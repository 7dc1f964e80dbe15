// A `.resnet` document as the model the engine runs (engine/runtime/runnable-model.ts): the editor's
// text, saved or not, with a quick pick when it defines several networks; and writing a chosen weights
// file into a network.
import { dirname, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { Network } from '../language/core/model';
import { loadModel, type ModelProblem, type RunnableModel } from '../engine/runtime/runnable-model';
import type { WeightsRequest } from '../contracts/worker';

export type DocumentModel = RunnableModel & { document: vscode.TextDocument };
export type DocumentProblem = ModelProblem & { document: vscode.TextDocument };

/** Undefined when the user dismissed the network pick. */
export async function loadDocumentModel(
  document: vscode.TextDocument,
  networkName: string | undefined,
  weights?: WeightsRequest,
): Promise<DocumentModel | DocumentProblem | undefined> {
  const name = vscode.workspace.asRelativePath(document.uri);
  const choose = async (networks: Network[]) =>
    (
      await vscode.window.showQuickPick(
        networks.map((n) => ({ label: n.name, description: n.input ? `input ${n.input.join('×')}` : '', network: n })),
        { title: 'Run inference: which network?', placeHolder: name },
      )
    )?.network;
  const folder = document.uri.scheme === 'file' ? dirname(document.uri.fsPath) : undefined;
  const model = await loadModel({ text: document.getText(), name, folder }, { network: networkName, choose, ...(weights ? { weights } : {}) });
  return model && { ...model, document };
}

/**
 * Writes `weights "<path>"` into the network: replaces the declared path, or adds the statement on
 * the line after `network NAME {`, indented like the line that follows it. The edit is not saved.
 */
export async function writeWeightsDeclaration(document: vscode.TextDocument, network: Network, weightsFile: vscode.Uri): Promise<boolean> {
  // An unsaved document has no folder to be relative to: the path stays absolute.
  const path = document.uri.scheme === 'file' ? relativePosix(dirname(document.uri.fsPath), weightsFile.fsPath) : weightsFile.fsPath;
  const literal = JSON.stringify(path);
  const edit = new vscode.WorkspaceEdit();
  if (network.weights) {
    const { start, end } = network.weights.range;
    edit.replace(document.uri, new vscode.Range(document.positionAt(start), document.positionAt(end)), literal);
  } else {
    const line = document.positionAt(network.nameRange.start).line + 1;
    const next = line < document.lineCount ? document.lineAt(line).text : '';
    const indent = /^\s*/.exec(next)?.[0] || '  ';
    edit.insert(document.uri, new vscode.Position(line, 0), `${indent}weights ${literal}\n`);
  }
  return vscode.workspace.applyEdit(edit);
}

/** The path from `from` to `to` with forward slashes, as .resnet files write paths on every platform. */
function relativePosix(from: string, to: string): string {
  return relative(from, to).split(sep).join('/');
}
