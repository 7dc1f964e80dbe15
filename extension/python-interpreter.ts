// Which Python trains, as the editor sees it: the resnetStudio.python setting if set, else the
// interpreter selected in VS Code's Python extension (ms-python.python, through its `environments`
// API) when it is installed, else engine/torch/python-env.ts's search of the PATH.
import * as vscode from 'vscode';
import { findPython, type PythonEnv, type PythonLookup } from '../engine/torch/python-env';
import { SECTION } from './settings';

export const PYTHON_SETTING = 'python';
const PYTHON_EXTENSION = 'ms-python.python';

/** The part of the Python extension's API used here (@vscode/python-extension's PythonExtension). */
interface PythonExtensionApi {
  environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(environment: { id: string; path: string }): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The interpreter selected for `resource` in the Python extension, if it is installed and has one. */
async function selectedInterpreter(resource: vscode.Uri, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environment = await api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource));
    return environment?.executable.uri?.fsPath;
  } catch (error) {
    log.warn(`the Python extension gave no interpreter: ${(error as Error)?.message ?? error}`);
    return undefined;
  }
}

/** What findPython is asked, for a file in this workspace. */
export async function pythonLookup(resource: vscode.Uri, log: vscode.LogOutputChannel): Promise<PythonLookup> {
  const setting = vscode.workspace.getConfiguration(SECTION, resource).get<string>(PYTHON_SETTING)?.trim();
  if (setting) return { asked: { path: setting, by: `the ${SECTION}.${PYTHON_SETTING} setting` } };
  return { selected: await selectedInterpreter(resource, log) };
}

export async function findEditorPython(resource: vscode.Uri, log: vscode.LogOutputChannel): Promise<PythonEnv | string> {
  return findPython(await pythonLookup(resource, log));
}
