// From a `.resnet` document to what the worker needs: the analysed network (from the editor's text,
// saved or not), its weights file and class names. Paths in the file are relative to the file.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import * as vscode from 'vscode';
import { analyze } from '../language/core/analysis';
import type { Network } from '../language/core/model';
import { readLabelsFile } from '../engine/runtime/labels-file';

export interface ModelChoice {
  document: vscode.TextDocument;
  network: Network;
  /** Absolute path of the weights file. */
  weightsPath: string;
  labels?: string[];
}

/** Why a model cannot run; `weights` problems offer "Choose weights file…". */
export interface ModelProblem {
  kind: 'errors' | 'no-network' | 'weights';
  message: string;
  document: vscode.TextDocument;
  network?: Network;
}

export function isModelProblem(value: ModelChoice | ModelProblem | undefined): value is ModelProblem {
  return value !== undefined && 'kind' in value;
}

/**
 * Analyses the document and picks the network (by name, the only one, or asked for). Returns
 * undefined when the user dismissed the network pick.
 */
export async function loadModel(
  document: vscode.TextDocument,
  networkName: string | undefined,
  log: vscode.LogOutputChannel,
): Promise<ModelChoice | ModelProblem | undefined> {
  const file = vscode.workspace.asRelativePath(document.uri);
  const analysis = analyze(document.getText());
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    return { kind: 'errors', document, message: `${file} has ${errors.length} error(s); fix them before running inference.` };
  }
  const networks = analysis.networks;
  let network: Network | undefined;
  if (networkName !== undefined) {
    network = networks.find((n) => n.name === networkName);
    if (!network) return { kind: 'no-network', document, message: `${file} has no network named ${networkName}.` };
  } else if (networks.length === 1) {
    network = networks[0];
  } else if (networks.length === 0) {
    return { kind: 'no-network', document, message: `${file} defines no network.` };
  } else {
    const picked = await vscode.window.showQuickPick(
      networks.map((n) => ({ label: n.name, description: n.input ? `input ${n.input.join('×')}` : '', network: n })),
      { title: 'Run inference: which network?', placeHolder: file },
    );
    if (!picked) return undefined;
    network = picked.network;
  }
  if (!network) return undefined;
  if (!network.input) return { kind: 'errors', document, network, message: `network ${network.name} has no input statement.` };

  const declared = network.weights?.path;
  if (!declared) {
    return { kind: 'weights', document, network, message: `network ${network.name} declares no weights file.` };
  }
  if (document.uri.scheme !== 'file') {
    return { kind: 'weights', document, network, message: `${file} is not saved on disk, so its weights path "${declared}" cannot be resolved.` };
  }
  const weightsPath = resolve(dirname(document.uri.fsPath), declared);
  try {
    await access(weightsPath, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
    return { kind: 'weights', document, network, message: `the weights file "${declared}" of network ${network.name} ${why}.` };
  }
  return { document, network, weightsPath, labels: await loadLabels(document, network, log) };
}

async function loadLabels(document: vscode.TextDocument, network: Network, log: vscode.LogOutputChannel): Promise<string[] | undefined> {
  if (!network.labels || document.uri.scheme !== 'file') return undefined;
  const path = resolve(dirname(document.uri.fsPath), network.labels.path);
  try {
    const labels = await readLabelsFile(path);
    const classes = network.outputShape?.[1];
    if (classes !== undefined && labels.length !== classes) {
      log.warn(`${path} has ${labels.length} labels but network ${network.name} has ${classes} outputs`);
    }
    return labels;
  } catch (error) {
    log.warn(`${(error as Error).message}; showing class indices`);
    return undefined;
  }
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
