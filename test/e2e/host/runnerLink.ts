// The way back from tests inside the extension host to the runner outside VS Code (test/e2e/run.mjs),
// which holds the browser and so can see the whole window. The runner passes its loopback address in
// RESNET_E2E_RUNNER; under @vscode/test-electron there is no such runner and these calls say so.
import { request } from 'node:http';

const runnerUrl = process.env.RESNET_E2E_RUNNER ?? '';

export function hasRunner(): boolean {
  return runnerUrl !== '';
}

/** POSTs `body` as JSON to the runner and returns its JSON answer. */
export function callRunner<T>(path: string, body: unknown, timeoutMs = 30_000): Promise<T> {
  if (!hasRunner()) return Promise.reject(new Error('no e2e runner: RESNET_E2E_RUNNER is not set'));
  const url = new URL(`${runnerUrl.replace(/\/$/, '')}/${path.replace(/^\//, '')}`);
  const payload = JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`runner ${url.pathname}: HTTP ${res.statusCode}: ${text}`));
          try {
            resolve(JSON.parse(text) as T);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`runner ${url.pathname}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Saves a screenshot of the whole VS Code window as test-results/e2e/<name>.png and returns its path.
 * Without a runner (plain @vscode/test-electron) there is no browser to ask, and it returns undefined.
 */
export async function screenshot(name: string): Promise<string | undefined> {
  if (!hasRunner()) {
    console.log(`[e2e] screenshot "${name}" skipped: no runner with a browser`);
    return undefined;
  }
  const answer = await callRunner<{ path: string }>('/screenshot', { name });
  return answer.path;
}

/**
 * The visible text of every workbench element matching a CSS selector, read from the page by the
 * runner, e.g. `workbenchText('.monaco-hover')` while a hover shows. With `includeWebviews` the
 * documents inside webviews are searched too. Undefined without a runner.
 */
export async function workbenchText(selector: string, { includeWebviews = false } = {}): Promise<string[] | undefined> {
  if (!hasRunner()) return undefined;
  const answer = await callRunner<{ texts: string[] }>('/text', { selector, includeWebviews });
  return answer.texts;
}

/**
 * Clicks the first element matching a CSS selector in the workbench (inside webviews too with
 * `includeWebviews`), as a user would: the browser moves the mouse there and presses. Returns whether
 * something matched; undefined without a runner.
 */
export async function click(selector: string, { includeWebviews = false } = {}): Promise<boolean | undefined> {
  if (!hasRunner()) return undefined;
  const answer = await callRunner<{ clicked: boolean }>('/click', { selector, includeWebviews });
  return answer.clicked;
}

/**
 * Types `value` into the first text field matching a CSS selector (inside webviews too with
 * `includeWebviews`), replacing what it held. Returns whether something matched; undefined without a runner.
 */
export async function fill(selector: string, value: string, { includeWebviews = false } = {}): Promise<boolean | undefined> {
  if (!hasRunner()) return undefined;
  const answer = await callRunner<{ filled: boolean }>('/fill', { selector, value, includeWebviews });
  return answer.filled;
}

/** An element's place in its document, and that document's width against its window's. */
export interface LayoutBox {
  left: number;
  right: number;
  width: number;
  /** The document's visible width. */
  viewportWidth: number;
  /** The document's full width: more than viewportWidth when it scrolls sideways. */
  scrollWidth: number;
}

/**
 * The box of the first element matching a CSS selector, in the workbench or inside a webview.
 * Undefined when nothing matches or there is no runner.
 */
export async function layout(selector: string): Promise<LayoutBox | undefined> {
  if (!hasRunner()) return undefined;
  const answer = await callRunner<{ box?: LayoutBox }>('/layout', { selector });
  return answer.box;
}
