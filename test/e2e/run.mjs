#!/usr/bin/env node
// Runs the end-to-end suites in a real VS Code: code-server (built once by tools/code-server.mjs) on a
// loopback port, its workbench in headless Chromium driven by playwright-core, the extension loaded
// from source and test/e2e/suite/*.test.ts run by mocha inside the extension host.
//
//   node test/e2e/run.mjs [--grep PATTERN] [--timeout SECONDS] [--no-build] [--extension DIR] [--results DIR]
//   node test/e2e/run.mjs --desktop [--vscode-version VERSION | --vscode-executable PATH] [...]
//
// --extension loads the extension from another folder (an unpacked .vsix, say) instead of the repo.
// --results DIR puts the artifacts elsewhere; by default test-results/e2e/, or test-results/e2e-<pid>/
// while another live run holds that.
// --desktop runs the same suites in desktop VS Code through @vscode/test-electron instead, where it can
// be downloaded (Linux without a display: under xvfb-run); screenshots are skipped there.
// --restricted opens the workspace in Restricted Mode (Workspace Trust on, never trusted) and sets
// RESNET_E2E_RESTRICTED=1 for the suites; only suites written for it pass there (`--grep restricted`).
//
// Artifacts land in test-results/e2e/: screenshots the suites asked for, failure.png when something
// went wrong, and the logs of code-server, the workbench and the browser. Exits non-zero on any failed
// test, on a run with no passing test, and when VS Code does not finish within the timeout.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { alive, cacheRoot, ensureCodeServer } from '../../tools/code-server.mjs';
import { launchWorkbenchBrowser, settle, workbenchSettings, workbenchUrl } from './harness/browser.mjs';
import { bundleSuites } from './harness/bundle.mjs';
import { startCodeServer } from './harness/codeServer.mjs';
import { startRunnerServer } from './harness/runnerServer.mjs';

const e2eDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(e2eDir, '..', '..');

const { values: options } = parseArgs({
  options: {
    grep: { type: 'string' },
    timeout: { type: 'string', default: process.env.RESNET_E2E_TIMEOUT_S ?? '600' },
    'no-build': { type: 'boolean', default: false },
    extension: { type: 'string' },
    results: { type: 'string' },
    desktop: { type: 'boolean', default: false },
    restricted: { type: 'boolean', default: false },
    'vscode-version': { type: 'string' },
    'vscode-executable': { type: 'string' },
  },
});
const timeoutMs = Number(options.timeout) * 1000;
const extensionDir = resolve(options.extension ?? repoRoot);
const OWNER_FILE = '.runner-pid';
const resultsDir = options.results ? resolve(options.results) : defaultResultsDir();

const started = Date.now();
const say = (line) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

const cleanups = [];
let cleaning;
/** Undoes the setup in reverse order, once, however many callers (a signal and the main flow) ask. */
function cleanUp() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop();
      try {
        await withTimeout(step(), 15_000, 'cleanup step');
      } catch (error) {
        console.error(`[e2e] cleanup: ${error.message}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, async () => {
    say(`${signal}: stopping`);
    await cleanUp();
    process.exit(130);
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** The folder the suites work in: examples/ once it holds networks, else the harness's own workspace. */
function chooseWorkspace() {
  const examples = join(repoRoot, 'examples');
  const hasResnet = (dir) =>
    existsSync(dir) &&
    readdirSync(dir).some((entry) => {
      const path = join(dir, entry);
      return entry.endsWith('.resnet') || (entry !== 'node_modules' && statSync(path).isDirectory() && hasResnet(path));
    });
  return hasResnet(examples) ? examples : join(e2eDir, 'workspace');
}

/** A runner killed with SIGKILL leaves its test/e2e/out/run-<pid> behind; the next run removes it. */
function removeBundlesOfDeadRuns() {
  const out = join(e2eDir, 'out');
  if (!existsSync(out)) return;
  for (const entry of readdirSync(out)) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (pid && !alive(pid)) rmSync(join(out, entry), { recursive: true, force: true });
  }
}

// test-results/e2e/, unless another runner that is still alive owns it (several people share one
// working tree): then test-results/e2e-<pid>/, so neither run deletes the other's artifacts.
function defaultResultsDir() {
  const shared = join(repoRoot, 'test-results', 'e2e');
  const owner = Number(existsSync(join(shared, OWNER_FILE)) ? readFileSync(join(shared, OWNER_FILE), 'utf8') : 0);
  return owner && owner !== process.pid && alive(owner) ? `${shared}-${process.pid}` : shared;
}
/** Empties the artifacts folder, refusing to delete anything outside test-results/. */
function prepareResultsDir() {
  const underTestResults = relative(join(repoRoot, 'test-results'), resultsDir);
  const deletable = underTestResults !== '' && !underTestResults.startsWith('..') && !isAbsolute(underTestResults);
  if (existsSync(resultsDir) && readdirSync(resultsDir).length > 0) {
    if (!deletable) throw new Error(`${resultsDir} is not empty: give --results a new or empty folder, or one under test-results/`);
    rmSync(resultsDir, { recursive: true, force: true });
  }
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, OWNER_FILE), String(process.pid));
}

async function main() {
  prepareResultsDir();

  if (!options['no-build']) {
    say('building the extension (npm run build)');
    const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 180_000 });
    if (build.status !== 0) throw new Error(`npm run build failed (${build.signal ?? build.status})`);
  }
  const packageJson = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8'));
  if (!existsSync(join(extensionDir, packageJson.main))) throw new Error(`the extension's main ${packageJson.main} was not built`);

  removeBundlesOfDeadRuns();
  const outDir = join(e2eDir, 'out', `run-${process.pid}`);
  cleanups.push(async () => rmSync(outDir, { recursive: true, force: true }));
  const bundle = await bundleSuites({ e2eDir, outDir });
  say(`bundled ${bundle.suites.length} suite(s): ${bundle.suites.join(', ')}`);
  // The suites edit files (quick fixes, typing, weights declarations): they get a copy, never the repo's own.
  const workspace = mkdtempSync(join(tmpdir(), 'resnet-studio-workspace-'));
  cleanups.push(async () => rmSync(workspace, { recursive: true, force: true }));
  cpSync(chooseWorkspace(), workspace, { recursive: true });
  return options.desktop ? runInDesktopVSCode(bundle, workspace) : runInCodeServer(bundle, workspace);
}

async function runInCodeServer(bundle, workspace) {
  say('building or reusing code-server');
  const codeServer = await ensureCodeServer({ log: say });

  const reports = { passes: 0, failures: 0, pending: 0, ended: false, failed: [] };
  let page;
  const runner = await startRunnerServer({
    '/screenshot': async ({ name }) => {
      const file = join(resultsDir, `${safeName(name)}.png`);
      await settle(page);
      await page.screenshot({ path: file, timeout: 30_000 });
      say(`screenshot ${relative(repoRoot, file)}`);
      return { path: file };
    },
    '/text': async ({ selector, includeWebviews }) => {
      // Webviews are nested iframes of another origin; their documents are searched only on request.
      const frames = includeWebviews ? page.frames() : [page.mainFrame()];
      const texts = [];
      for (const frame of frames) {
        texts.push(...(await frame.locator(String(selector)).evaluateAll((elements) => elements.map((e) => e.innerText))));
      }
      return { texts };
    },
    '/click': async ({ selector, includeWebviews }) => {
      // The first element matching the selector, in the workbench or (on request) inside webviews.
      const frames = includeWebviews ? page.frames() : [page.mainFrame()];
      for (const frame of frames) {
        const target = frame.locator(String(selector)).first();
        if ((await target.count()) === 0) continue;
        await target.click({ timeout: 10_000 });
        return { clicked: true };
      }
      return { clicked: false };
    },
    '/fill': async ({ selector, value, includeWebviews }) => {
      // Types into the first matching field as a user would (focus, select all, type): the field's own
      // input events fire. CSS selectors reach into open shadow roots (the toolkit's text fields).
      const frames = includeWebviews ? page.frames() : [page.mainFrame()];
      for (const frame of frames) {
        const target = frame.locator(String(selector)).first();
        if ((await target.count()) === 0) continue;
        await target.fill(String(value), { timeout: 10_000 });
        return { filled: true };
      }
      return { filled: false };
    },
    '/layout': async ({ selector }) => {
      // Where the first element matching the selector sits in its document (the workbench's or a
      // webview's), and whether that document is wider than its window (it scrolls sideways).
      for (const frame of page.frames()) {
        const target = frame.locator(String(selector)).first();
        if ((await target.count()) === 0) continue;
        const box = await target.evaluate((element) => {
          const rect = element.getBoundingClientRect();
          const root = element.ownerDocument.documentElement;
          return { left: rect.left, right: rect.right, width: rect.width, viewportWidth: root.clientWidth, scrollWidth: root.scrollWidth };
        });
        return { box };
      }
      return {};
    },
    '/report': async (report) => {
      if (report.kind === 'pass') reports.passes++;
      if (report.kind === 'pending') reports.pending++;
      if (report.kind === 'fail') {
        reports.failures++;
        reports.failed.push(report.title);
      }
      if (report.kind === 'end') reports.ended = true;
      console.log(report.line);
      return {};
    },
  });
  cleanups.push(() => runner.close());

  say('starting code-server');
  const server = await startCodeServer({
    codeServer,
    logFile: join(resultsDir, 'code-server.log'),
    saveLogsTo: join(resultsDir, 'server-logs'),
    idleTimeoutSeconds: 90,
    restricted: options.restricted,
    env: {
      RESNET_E2E_RUNNER: runner.url,
      ...(options.restricted ? { RESNET_E2E_RESTRICTED: '1' } : {}),
      ...(options.grep ? { RESNET_E2E_GREP: options.grep } : {}),
    },
  });
  cleanups.push(() => server.stop());
  say(`code-server ${server.url} (pid ${server.pid}), workspace ${workspace}`);

  const { remoteAuthority } = await workbenchSettings(server.url);
  const url = workbenchUrl(server.url, remoteAuthority, {
    folder: workspace,
    extensionDevelopmentPath: extensionDir,
    extensionTestsPath: bundle.index,
  });

  let finish;
  const finished = new Promise((resolvePromise) => (finish = resolvePromise));
  const browserLog = join(resultsDir, 'browser-console.log');
  const workbenchLog = join(resultsDir, 'workbench.log');
  const browser = await launchWorkbenchBrowser({
    onExit: (code, logs) => finish({ code, logs }),
    onLog: (type, args) => appendFileSync(workbenchLog, `[${type}] ${args.map(String).join(' ')}\n`),
  });
  cleanups.push(() => browser.browser.close());
  page = browser.page;
  page.on('console', (message) => appendFileSync(browserLog, `[${message.type()}] ${message.text()}\n`));
  page.on('pageerror', (error) => appendFileSync(browserLog, `[pageerror] ${error.stack ?? error}\n`));
  page.on('crash', () => finish({ code: 1, logs: [], reason: 'the browser page crashed' }));

  say('opening the workbench; the suites run inside the extension host');
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  const timer = setTimeout(() => finish({ code: 1, logs: [], reason: `no result within ${timeoutMs / 1000} s` }), timeoutMs);
  const outcome = await finished;
  clearTimeout(timer);

  for (const log of outcome.logs) {
    const file = join(resultsDir, 'vscode-logs', log.relativePath.replace(/[^\w.-]+/g, '_'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, log.contents);
  }
  const problems = [];
  if (outcome.reason) problems.push(outcome.reason);
  else if (outcome.code !== 0) problems.push(`the extension host exited with ${outcome.code}`);
  if (reports.failures > 0) problems.push(`${reports.failures} failing: ${reports.failed.join('; ')}`);
  if (!outcome.reason && !reports.ended) problems.push('mocha never reported the end of its run');
  if (reports.passes === 0) problems.push('no test passed');
  if (problems.length > 0 && !page.isClosed()) {
    await withTimeout(page.screenshot({ path: join(resultsDir, 'failure.png') }), 30_000, 'failure screenshot').catch(() => {});
    say(`saved ${relative(repoRoot, join(resultsDir, 'failure.png'))}`);
  }
  return problems;
}

async function runInDesktopVSCode(bundle, workspace) {
  const request = {
    extensionDir,
    testsIndex: bundle.index,
    workspace,
    grep: options.grep,
    version: options['vscode-version'],
    vscodeExecutablePath: options['vscode-executable'],
    cachePath: join(cacheRoot(), 'vscode-test'),
  };
  say(`running the suites in desktop VS Code (${request.vscodeExecutablePath ?? request.version ?? 'latest stable'})`);
  const child = spawn(process.execPath, [join(e2eDir, 'harness', 'desktop.mjs'), JSON.stringify(request)], {
    cwd: repoRoot,
    stdio: 'inherit',
    detached: true,
  });
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.on('exit', killGroup);
  cleanups.push(async () => killGroup());
  const outcome = await new Promise((resolvePromise) => {
    const timer = setTimeout(() => resolvePromise({ reason: `no result within ${timeoutMs / 1000} s` }), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal });
    });
  });
  if (outcome.reason) return [outcome.reason];
  return outcome.code === 0 ? [] : [`desktop VS Code run ended with ${outcome.signal ?? `exit code ${outcome.code}`}`];
}

function safeName(name) {
  const cleaned = basename(String(name)).replace(/\.png$/i, '').replace(/[^\w.-]+/g, '-');
  if (!cleaned) throw new Error(`unusable screenshot name "${name}"`);
  return cleaned;
}

let exitCode = 1;
try {
  const problems = await main();
  if (problems.length === 0) {
    say(`passed; artifacts in ${relative(repoRoot, resultsDir)}/`);
    exitCode = 0;
  } else {
    for (const problem of problems) say(`FAILED: ${problem}`);
    say(`logs and screenshots in ${relative(repoRoot, resultsDir)}/`);
  }
} catch (error) {
  say(`FAILED: ${error.stack ?? error}`);
} finally {
  await cleanUp();
}
if (exitCode !== 0) printExtensionHostErrors();
process.exit(exitCode);

// The extension host's log (copied out when code-server stopped) is where an activation that threw or
// an extension that never loaded shows up; its errors are the first thing to read after a failure.
function printExtensionHostErrors() {
  const logs = findFiles(join(resultsDir, 'server-logs'), 'remoteexthost.log');
  const errors = logs.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter((line) => line.includes('[error]')));
  if (logs.length > 0) say(`extension host log: ${logs.map((file) => relative(repoRoot, file)).join(', ')}`);
  for (const line of errors.slice(0, 20)) console.log(`  ${line}`);
  if (errors.length > 20) console.log(`  … ${errors.length - 20} more`);
}

function findFiles(dir, name) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findFiles(path, name);
    return entry.name === name ? [path] : [];
  });
}
