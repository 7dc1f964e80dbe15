// The order in which the Python that trains is looked for, with fake interpreters: small executable
// scripts in a temporary folder that answer the probe as a python with torch does, or fail as one
// without torch does. The last test finds Debian's real /usr/bin/python3 behind them.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { findPython, type PythonEnv } from '../../../engine/torch/python-env';

const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-python-env-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A python3 in its own folder: with torch it prints the probe's versions (its torch version is `name`), else it fails on the import. */
function fake(name: string, kind: 'torch' | 'no-torch' | 'no-torchvision' | 'not-executable'): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'python3');
  const body =
    kind === 'torch'
      ? `echo '{"python": "3.11.2", "torch": "${name}", "torchvision": "0.14.1", "cuda": false}'`
      : `echo 'Traceback (most recent call last):' >&2; echo "ModuleNotFoundError: No module named '${kind === 'no-torch' ? 'torch' : 'torchvision'}'" >&2; exit 1`;
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, kind === 'not-executable' ? 0o644 : 0o755);
  return path;
}

const pyenv = fake('pyenv', 'no-torch');
const venv = fake('venv', 'no-torchvision');
const system = fake('system', 'torch');
const conda = fake('conda', 'torch');
const broken = fake('broken', 'not-executable');
const folderOf = (path: string) => join(path, '..');
const searchPath = (...pythons: string[]) => pythons.map(folderOf).join(delimiter);

const found = (result: PythonEnv | string): PythonEnv => {
  assert.ok(typeof result !== 'string', result as string);
  return result;
};

test('the first python3 on the PATH that imports torch and torchvision trains; the ones before it are named with why', async () => {
  const python = found(await findPython({ searchPath: searchPath(broken, pyenv, venv, system, conda), after: [] }));
  assert.equal(python.path, system);
  assert.equal(python.torch, 'system');
  assert.deepEqual(python.passedOver, [`${pyenv} (no module torch)`, `${venv} (no module torchvision)`]);
});

test('the Python extension\'s interpreter comes before the PATH; without torch the search goes on and says so', async () => {
  assert.equal(found(await findPython({ selected: conda, searchPath: searchPath(system), after: [] })).path, conda);
  const python = found(await findPython({ selected: pyenv, searchPath: searchPath(pyenv, system), after: [] }));
  assert.equal(python.path, system);
  // The selected one is on the PATH too: it is tried once.
  assert.deepEqual(python.passedOver, [`${pyenv} (the Python extension's interpreter) (no module torch)`]);
});

test('a Python the user names is the only one tried; without torch the message has its install command', async () => {
  assert.equal(found(await findPython({ asked: { path: conda, by: 'the resnetStudio.python setting' }, selected: system, searchPath: searchPath(system) })).path, conda);
  const missing = await findPython({ asked: { path: pyenv, by: 'the resnetStudio.python setting' }, selected: system, searchPath: searchPath(system) });
  assert.equal(typeof missing, 'string');
  assert.match(missing as string, new RegExp(`^the resnetStudio\\.python setting ${pyenv}: no module torch; install PyTorch with \`${pyenv} -m pip install torch torchvision\``));
  assert.match(missing as string, /sudo apt install python3-torch python3-torchvision/);
  assert.match((await findPython({ asked: { path: broken, by: '--python' } })) as string, /^--python .*broken\/python3: not executable;/);
  assert.match((await findPython({ asked: { path: join(scratch, 'nowhere', 'python3'), by: '--python' } })) as string, /nowhere\/python3: not found;/);
});

test('a link to an interpreter already tried is not tried again; none with torch lists every one tried and how to install', async () => {
  const linked = join(scratch, 'linked');
  mkdirSync(linked);
  symlinkSync(pyenv, join(linked, 'python3'));
  const none = await findPython({ searchPath: [folderOf(pyenv), linked, folderOf(venv), join(scratch, 'empty')].join(delimiter), after: [] });
  assert.equal(
    none,
    `no Python with torch and torchvision found (tried ${pyenv} (no module torch), ${venv} (no module torchvision)): install PyTorch with \`python3 -m pip install torch torchvision\` ` +
      '(GPU builds: https://pytorch.org/get-started/locally/), or on Debian/Ubuntu `sudo apt install python3-torch python3-torchvision`; ' +
      'or name a Python with --python PATH (in VS Code: the resnetStudio.python setting)',
  );
  assert.match((await findPython({ searchPath: '', after: [] })) as string, /tried no python3 on the PATH/);
});

test("after the PATH comes Debian's /usr/bin/python3, which has torch here", async () => {
  const python = found(await findPython({ searchPath: searchPath(pyenv) }));
  assert.equal(python.path, '/usr/bin/python3');
  assert.match(python.torch, /^1\./);
  assert.deepEqual(python.passedOver, [`${pyenv} (no module torch)`]);
});
