// Starts the cached code-server (tools/code-server.mjs) on a loopback port with every piece of state in a
// fresh temporary folder, and stops it with its whole process group: code-server forks the VS Code
// server, extension hosts, pty and file-watcher processes, and a signal to the main pid alone leaves
// those behind.
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LISTENING = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//;

// Quiet, offline, deterministic workbench: no welcome page, trust prompt, update or telemetry traffic.
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * @param {object} options
 * @param {{ node: string, entry: string }} options.codeServer  paths from tools/code-server.mjs
 * @param {string} options.logFile  where code-server's own output goes
 * @param {Record<string, string>} [options.env]  extra environment for the server and its extension hosts
 * @param {string} [options.bind]  host:port, default 127.0.0.1 with a free port
 * @param {number} [options.startTimeoutMs]
 * @param {number} [options.idleTimeoutSeconds]  (over 60) code-server exits by itself once no browser has been
 *   connected for this long: the backstop for a runner killed too hard to clean up
 * @param {string} [options.saveLogsTo]  where VS Code's server-side logs (extension hosts included) are
 *   copied when it stops, before its temporary state is deleted
 * @param {boolean} [options.restricted]  Workspace Trust on, without the startup prompt: the workspace, never
 *   trusted in the fresh user data, opens in Restricted Mode
 * @returns {Promise<{ url: string, pid: number, stateDir: string, exited: Promise<{ code: number | null, signal: string | null }>,
 *   stop: () => Promise<void> }>}
 */
export async function startCodeServer({
  codeServer,
  logFile,
  env = {},
  bind = '127.0.0.1:0',
  startTimeoutMs = 60_000,
  idleTimeoutSeconds,
  saveLogsTo,
  restricted = false,
}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'resnet-studio-vscode-'));
  const dirs = Object.fromEntries(
    ['user-data', 'extensions', 'config', 'data', 'cache', 'state', 'runtime'].map((name) => [name, join(stateDir, name)]),
  );
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(join(dirs['user-data'], 'User'), { recursive: true });
  const trust = restricted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
  writeFileSync(join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...trust }, null, 2));
  const configFile = join(dirs.config, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');

  const args = [
    codeServer.entry,
    '--bind-addr', bind,
    '--auth', 'none',
    '--config', configFile,
    '--user-data-dir', dirs['user-data'],
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    ...(restricted ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // The workbench honours `extensionDevelopmentPath`/`extensionTestsPath` from the URL payload only in
    // development or smoke-test builds (browser environmentService.ts); this makes it one. It also
    // makes the workbench answer its own confirmation dialogs.
    '--vscode-option', 'enable-smoke-test-driver',
    ...(idleTimeoutSeconds ? ['--idle-timeout-seconds', String(idleTimeoutSeconds)] : []),
  ];
  const log = createWriteStream(logFile);
  const child = spawn(codeServer.node, args, {
    cwd: stateDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs.data,
      XDG_CACHE_HOME: dirs.cache,
      XDG_STATE_HOME: dirs.state,
      XDG_RUNTIME_DIR: dirs.runtime,
      // The browser is driven by us; code-server must never try to open one itself.
      BROWSER: 'none',
      ...env,
    },
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const killOnExit = () => signalGroup(child.pid, 'SIGKILL');
  process.on('exit', killOnExit);

  let stopped;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', () => resolve({ code: null, signal: null }));
  });
  const stop = () =>
    (stopped ??= (async () => {
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      // The main process can exit before its children; take the rest of the group down for sure.
      signalGroup(child.pid, 'SIGKILL');
      process.off('exit', killOnExit);
      await new Promise((resolve) => log.end(resolve));
      const logs = join(dirs['user-data'], 'logs');
      if (saveLogsTo && existsSync(logs)) cpSync(logs, saveLogsTo, { recursive: true });
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 3 });
    })());

  try {
    const url = await new Promise((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () => reject(new Error(`code-server did not start listening within ${startTimeoutMs} ms (log: ${logFile})`)),
        startTimeoutMs,
      );
      const watch = (chunk) => {
        seen += chunk;
        const match = LISTENING.exec(seen);
        if (match) {
          clearTimeout(timer);
          child.stdout.off('data', watch);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', watch);
      child.on('error', reject);
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${signal ?? code}) before listening (log: ${logFile})`));
      });
    });
    return { url, pid: child.pid, stateDir, exited, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
