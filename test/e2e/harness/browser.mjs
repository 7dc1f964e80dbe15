// Drives the VS Code workbench that code-server serves with playwright-core and the system's Chromium
// (Debian's `chromium`; playwright's own browser download is not available everywhere we run).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium() {
  const configured = process.env.RESNET_E2E_CHROMIUM;
  if (configured) return configured;
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(`no Chromium found (looked for ${CANDIDATES.join(', ')}); install Debian's "chromium" or set RESNET_E2E_CHROMIUM`);
  }
  return found;
}

export const VIEWPORT = { width: 1440, height: 900 };

/**
 * Launches headless Chromium and returns a context whose pages share the hooks VS Code's automation
 * looks for (`codeAutomationExit`, `codeAutomationLog`), installed before any page script runs.
 * @param {{ onExit: (code: number, logs: Array<{ relativePath: string, contents: string }>) => void,
 *           onLog: (type: string, args: unknown[]) => void }} hooks
 */
export async function launchWorkbenchBrowser(hooks) {
  const browser = await chromium.launch({
    executablePath: findChromium(),
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  await context.exposeFunction('codeAutomationExit', (code, logs) => hooks.onExit(Number(code), logs ?? []));
  await context.exposeFunction('codeAutomationLog', (type, args) => hooks.onLog(String(type), args ?? []));
  const page = await context.newPage();
  return { browser, context, page };
}

/** The workbench settings code-server embeds in its page; `remoteAuthority` names the server in URIs. */
export async function workbenchSettings(serverUrl) {
  const response = await fetch(new URL('/', serverUrl), { signal: AbortSignal.timeout(30_000) });
  const html = await response.text();
  const match = /id="vscode-workbench-web-configuration"\s+data-settings="([^"]*)"/.exec(html);
  if (!match) throw new Error(`no workbench configuration in the page served at ${serverUrl}`);
  return JSON.parse(decodeHtml(match[1]));
}

function decodeHtml(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * The workbench address that opens `folder` and, when given, loads an extension from source and runs
 * its extension-host tests (the same `payload` VS Code's own browser integration tests use).
 */
export function workbenchUrl(serverUrl, remoteAuthority, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (path) => `vscode-remote://${remoteAuthority}${encodeURI(path)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  const url = new URL('/', serverUrl);
  url.searchParams.set('folder', folder);
  url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/** Waits for two animation frames so that what the extension just changed is painted. */
export function settle(page) {
  return page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(undefined)))),
  );
}
