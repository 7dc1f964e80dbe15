// Finds the Python that trains: the one asked for, else the first `python3` on the PATH that imports
// torch and torchvision, else /usr/bin/python3 (a pyenv or venv python without torch often comes
// first on the PATH, before the system's).
import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface PythonEnv {
  path: string;
  python: string;
  torch: string;
  torchvision: string;
  cuda: boolean;
}

const PROBE = 'import json, sys, torch, torchvision; print(json.dumps({"python": sys.version.split()[0], "torch": torch.__version__, "torchvision": torchvision.__version__, "cuda": torch.cuda.is_available()}))';

export const INSTALL_HINT =
  'install PyTorch with `python3 -m pip install torch torchvision` (GPU builds: https://pytorch.org/get-started/locally/), ' +
  'or on Debian/Ubuntu `sudo apt install python3-torch python3-torchvision`; or pass --python PATH';

/** The python, or why it cannot train. */
function probe(path: string): Promise<PythonEnv | string> {
  return new Promise((resolve) => {
    execFile(path, ['-c', PROBE], { timeout: 120_000, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ path, ...(JSON.parse(stdout.trim().split('\n').pop()!) as Omit<PythonEnv, 'path'>) });
        return;
      }
      const missing = /No module named '?([\w.]+)'?/.exec(stderr);
      const code = (error as NodeJS.ErrnoException).code;
      const last = stderr.trim().split('\n').pop();
      resolve(missing ? `no module ${missing[1]}` : code === 'ENOENT' ? 'not found' : last || `it exits with ${error.code ?? error.signal}`);
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

/** Every python3 on the PATH in order, then /usr/bin/python3, each once. */
function candidates(): string[] {
  const names = process.platform === 'win32' ? ['python3.exe', 'python.exe'] : ['python3'];
  const found = (process.env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((dir) => names.map((name) => join(dir, name)));
  if (process.platform !== 'win32') found.push('/usr/bin/python3');
  const seen = new Set<string>();
  return found.filter((path) => {
    if (!executable(path)) return false;
    const key = realpathSync(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function findPython(asked?: string): Promise<PythonEnv | string> {
  if (asked) {
    const found = await probe(asked);
    return typeof found === 'string' ? `--python ${asked}: ${found}; ${INSTALL_HINT.replace('python3 -m pip', `${asked} -m pip`)}` : found;
  }
  const tried: string[] = [];
  for (const path of candidates()) {
    const found = await probe(path);
    if (typeof found !== 'string') return found;
    tried.push(`${path} (${found})`);
  }
  return `no Python with torch and torchvision found (tried ${tried.join(', ') || 'no python3 on the PATH'}): ${INSTALL_HINT}`;
}
