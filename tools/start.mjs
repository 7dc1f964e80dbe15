// `npm start`: builds the extension and opens examples/ in a VS Code that loads it from source.
//
//   npm start                    desktop VS Code when `code` is on the PATH, else code-server
//   npm start -- --browser       always code-server (a VS Code in the browser, on 127.0.0.1)
//   npm start -- --port 8080     code-server's port (default: any free one)
//
// After changing the code, run `npm run build` and "Developer: Reload Window" in that VS Code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { workbenchSettings, workbenchUrl } from '../test/e2e/harness/browser.mjs';
import { startCodeServer } from '../test/e2e/harness/codeServer.mjs';
import { CODE_SERVER_VERSION, ensureCodeServer } from './code-server.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(repoRoot, 'examples');

const { values: options } = parseArgs({
  options: {
    browser: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
  },
});

const port = Number(options.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port wants a port number, got "${options.port}"`);
  process.exit(2);
}

function onPath(command) {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, command))
    .find((path) => existsSync(path));
}

const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 180_000 });
if (build.status !== 0) {
  console.error('npm run build failed; not starting VS Code');
  process.exit(1);
}

const code = options.browser ? undefined : onPath('code');
if (code) {
  const opened = spawnSync(code, ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, examples], { stdio: 'inherit' });
  process.exit(opened.status ?? 1);
}

const codeServer = await ensureCodeServer({ log: (line) => console.log(line) });
const logDir = mkdtempSync(join(tmpdir(), 'resnet-studio-start-'));
const logFile = join(logDir, 'code-server.log');
const server = await startCodeServer({ codeServer, logFile, bind: `127.0.0.1:${port}` });
const { remoteAuthority } = await workbenchSettings(server.url);
const url = workbenchUrl(server.url, remoteAuthority, { folder: examples, extensionDevelopmentPath: repoRoot });

console.log(`
ResNet Studio in code-server ${CODE_SERVER_VERSION}: examples/ open, the extension loaded from source.

  ${url}

Open that address in a browser on this machine (it listens on 127.0.0.1 only; forward the port to reach
it from elsewhere, e.g. ssh -L ${new URL(server.url).port}:127.0.0.1:${new URL(server.url).port}).
Server log: ${logFile}
Ctrl-C stops it.
`);

let stopping = false;
async function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  await server.stop();
  if (exitCode === 0) rmSync(logDir, { recursive: true, force: true });
  process.exit(exitCode);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
server.exited.then(({ code, signal }) => {
  if (stopping) return;
  console.error(`code-server exited by itself (${signal ?? code}); its log: ${logFile}`);
  stop(1);
});
