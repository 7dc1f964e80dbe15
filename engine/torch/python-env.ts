// Finds the Python that trains. In order: the one the user named (--python, the resnetStudio.python
// setting), and only it; else the interpreter selected in VS Code's Python extension when it imports
// torch and torchvision; else the first `python3` on the PATH that does, then /usr/bin/python3 (a
// pyenv or venv python without torch often comes first on the PATH, before the system's).
import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface PythonEnv {
  path: string;
  python: string;
  torch: string;
  torchvision: string;
  cuda: boolean;
  /** The interpreters looked at before this one and why each cannot train ("PATH (no module torch)"). */
  passedOver: string[];
}

export interface PythonLookup {
  /** Named by the user: only it is tried. `by` says where it was named ("--python", "the resnetStudio.python setting"). */
  asked?: { path: string; by: string };
  /** The interpreter selected in VS Code's Python extension: tried first; without torch the search goes on. */
  selected?: string;
  /** The folders searched for python3, in order; default the PATH. */
  searchPath?: string;
  /** Tried after the search path; default /usr/bin/python3 (not on Windows). */
  after?: string[];
}

const PROBE = 'import json, sys, torch, torchvision; print(json.dumps({"python": sys.version.split()[0], "torch": torch.__version__, "torchvision": torchvision.__version__, "cuda": torch.cuda.is_available()}))';

export const INSTALL_HINT =
  'install PyTorch with `python3 -m pip install torch torchvision` (GPU builds: https://pytorch.org/get-started/locally/), ' +
  'or on Debian/Ubuntu `sudo apt install python3-torch python3-torchvision`';

/** The python, or why it cannot train. */
function probe(path: string): Promise<Omit<PythonEnv, 'passedOver'> | string> {
  return new Promise((resolve) => {
    execFile(path, ['-c', PROBE], { timeout: 120_000, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) {
        try {
          resolve({ path, ...(JSON.parse(stdout.trim().split('\n').pop()!) as Omit<PythonEnv, 'path' | 'passedOver'>) });
        } catch {
          resolve(`it printed no versions (${stdout.trim().slice(0, 200) || 'nothing'})`);
        }
        return;
      }
      const missing = /No module named '?([\w.]+)'?/.exec(stderr);
      const code = (error as NodeJS.ErrnoException).code;
      const last = stderr.trim().split('\n').pop();
      resolve(missing ? `no module ${missing[1]}` : code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : last || `it exits with ${error.code ?? error.signal}`);
    });
  });
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every python3 in the search path in order, then `after`, each once. */
function candidates(searchPath: string, after: string[]): string[] {
  const names = process.platform === 'win32' ? ['python3.exe', 'python.exe'] : ['python3'];
  const found = [...searchPath.split(delimiter).filter(Boolean).flatMap((dir) => names.map((name) => join(dir, name))), ...after];
  const seen = new Set<string>();
  return found.filter((path) => {
    if (!executable(path)) return false;
    const key = realpathSync(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function findPython(lookup: PythonLookup = {}): Promise<PythonEnv | string> {
  const { asked, selected } = lookup;
  if (asked) {
    const found = await probe(asked.path);
    if (typeof found !== 'string') return { ...found, passedOver: [] };
    return `${asked.by} ${asked.path}: ${found}; ${INSTALL_HINT.replace('python3 -m pip', `${asked.path} -m pip`)}; or name another Python`;
  }
  const passedOver: string[] = [];
  const tried = new Set<string>();
  const searched = candidates(lookup.searchPath ?? process.env.PATH ?? '', lookup.after ?? (process.platform === 'win32' ? [] : ['/usr/bin/python3']));
  for (const [path, label] of [...(selected ? [[selected, " (the Python extension's interpreter)"]] : []), ...searched.map((p) => [p, ''])] as [string, string][]) {
    const key = executable(path) ? realpathSync(path) : path;
    if (tried.has(key)) continue;
    tried.add(key);
    const found = await probe(path);
    if (typeof found !== 'string') return { ...found, passedOver };
    passedOver.push(`${path}${label} (${found})`);
  }
  return `no Python with torch and torchvision found (tried ${passedOver.join(', ') || 'no python3 on the PATH'}): ${INSTALL_HINT}; or name a Python with --python PATH (in VS Code: the resnetStudio.python setting)`;
}
