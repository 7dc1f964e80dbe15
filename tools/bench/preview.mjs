// Preview speed. Targets (issue 5): graph build + layout + render of resnet152 with every block
// unfolded ≤ 300 ms; an edit to the diagram update ≤ 100 ms for resnet50. Prints medians; no pass/fail.
//
// 1. Node: each step on its own (analysis, graph build, the JSON trip of the LSP answer, folding +
//    layout, SVG markup), as the language server and the webview run them.
// 2. Chromium (Debian's, through playwright-core): the real webview bundle and stylesheet in a page
//    with the preview's Content-Security-Policy; an `update` message goes in and the clock stops
//    after the next painted frame, so DOM parsing, style and layout are counted. The page's
//    acquireVsCodeApi is this script's (there is no VS Code here); it records what the webview posts.
//
//   node tools/bench/preview.mjs [--screenshot DIR]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { findChromium } from '../../test/e2e/harness/browser.mjs';
import { loadBundled, median as medianOf } from '../measure.mjs';

const { values: options } = parseArgs({ options: { screenshot: { type: 'string' } } });

const entry = `
export { analyze } from './language/core/analysis';
export { buildGraph } from './language/core/graph';
export { graphResult } from './language/server/graph';
export { visibleGraph, foldAll } from './webview/fold';
export { layoutGraph } from './webview/layout';
export { renderDiagram } from './webview/render';
export { previewHtml } from './extension/preview-html';
`;
const { analyze, buildGraph, graphResult, visibleGraph, foldAll, layoutGraph, renderDiagram, previewHtml } = await loadBundled(entry);
const median = (run, minimumMs) => medianOf(run, { warmup: 10, minimumRuns: 20, minimumMs });

/** extension/preview.ts waits this long after a keystroke before asking for the graph. */
const editDebounceMs = Number(/const editDebounceMs = (\d+)/.exec(readFileSync('extension/preview.ts', 'utf8'))?.[1]);
const ms = (t) => `${t.toFixed(2).padStart(8)} ms`;
const text152 = readFileSync('examples/resnet152.resnet', 'utf8');
const text50 = readFileSync('examples/resnet50.resnet', 'utf8');
const unfolded = foldAll(false);

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`${cpus().length} CPUs, load average ${load()} at the start (the figures scale with it)\n`);
console.log('Node (median), resnet152, every block unfolded:');
const analysis152 = analyze(text152);
const graph152 = buildGraph(analysis152.networks[0], analysis152.diagnostics);
const visible152 = visibleGraph(graph152, unfolded);
const layout152 = layoutGraph(visible152, 'TB');
const steps152 = [
  ['analysis (language server)', () => analyze(text152)],
  ['graph build', () => buildGraph(analysis152.networks[0], analysis152.diagnostics)],
  ['fold + layout', () => layoutGraph(visibleGraph(graph152, unfolded), 'TB')],
  ['layout alone', () => layoutGraph(visible152, 'TB')],
  ['SVG markup', () => renderDiagram(layout152)],
  ['graph build + fold + layout + SVG', () => renderDiagram(layoutGraph(visibleGraph(buildGraph(analysis152.networks[0], analysis152.diagnostics), unfolded), 'TB'))],
];
for (const [name, run] of steps152) console.log(`  ${name.padEnd(44)} ${ms(median(run))}`);
console.log(`  (${graph152.nodes.length} nodes, ${graph152.edges.length} edges, ${graph152.groups.length} groups; SVG ${(renderDiagram(layout152).length / 1024).toFixed(0)} KiB)`);

console.log('\nNode (median), resnet50, one edit (every block unfolded):');
let flip = false;
const edited50 = () => (flip = !flip) ? text50.replace('linear(1000)', 'linear(100)') : text50;
const editPath = () => {
  const result = JSON.parse(JSON.stringify(graphResult(analyze(edited50()), 'file:///resnet50.resnet', 2)));
  return renderDiagram(layoutGraph(visibleGraph(result.graph, unfolded), 'TB'));
};
console.log(`  ${'analysis + graph + JSON trip + layout + SVG'.padEnd(44)} ${ms(median(editPath))}`);

// ---- Chromium -----------------------------------------------------------------------------------

const webviewBundle = await build({ entryPoints: ['webview/main.ts'], bundle: true, write: false, platform: 'browser', format: 'iife', target: 'es2022' });
const origin = 'http://preview.bench';
const nonce = 'benchNonce0123456789';
const html = previewHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/preview.css`, codiconsUri: `${origin}/dist/codicons/codicon.css`, title: 'bench' });
// A few of the variables VS Code injects into webviews (Dark Modern), so screenshots look right.
const theme = `:root {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace;
  --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc; --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d; --vscode-panel-border: #2b2b2b; --vscode-editorWidget-background: #202020;
  --vscode-editorWidget-border: #454545; --vscode-focusBorder: #0078d4; --vscode-charts-blue: #3794ff;
  --vscode-charts-green: #89d185; --vscode-charts-yellow: #cca700; --vscode-charts-purple: #b180d7;
  --vscode-charts-orange: #d18616; --vscode-charts-red: #f14c4c; --vscode-badge-background: #616161;
  --vscode-badge-foreground: #f8f8f8; --vscode-editorError-foreground: #f14c4c; --vscode-editorWarning-foreground: #cca700;
}`;

const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === '/dist/webview.js') return route.fulfill({ contentType: 'text/javascript', body: webviewBundle.outputFiles[0].text });
    if (path.startsWith('/dist/codicons/')) return route.fulfill({ path: `node_modules/@vscode/codicons/dist/${path.slice('/dist/codicons/'.length)}` });
    if (path === '/media/preview.css') return route.fulfill({ contentType: 'text/css', body: readFileSync('media/preview.css', 'utf8') + theme });
    return route.fulfill({ status: 404, body: '' });
  });
  // VS Code's webview host provides acquireVsCodeApi; here the bench does, starting unfolded.
  await page.addInitScript(() => {
    let saved = { uri: 'file:///resnet152.resnet', network: 'resnet152', direction: 'TB', fold: { defaultFolded: false, overrides: {} }, showTable: false };
    window.posted = [];
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => saved, setState: (s) => (saved = s) });
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.posted.some((m) => m.type === 'ready'));

  const message = (text, uri, network) => ({ type: 'update', fileName: uri, result: JSON.parse(JSON.stringify(graphResult(analyze(text), `file:///${uri}`, 1, network))) });
  const timeUpdates = (messages, runs) =>
    page.evaluate(
      async ({ messages, runs }) => {
        // The frame's style, layout and paint run after its requestAnimationFrame callbacks: a task
        // queued from there runs once they are done.
        const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const times = [];
        for (let i = 0; i < runs; i++) {
          const data = messages[i % messages.length];
          await painted();
          const start = performance.now();
          window.dispatchEvent(new MessageEvent('message', { data }));
          await painted();
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        return { median: times[times.length >> 1], nodes: document.querySelectorAll('#viewport .node').length };
      },
      { messages, runs },
    );

  const m152 = [message(text152, 'resnet152.resnet'), message(text152.replace('linear(1000)', 'linear(100)'), 'resnet152.resnet')];
  console.log(`\nChromium (median, update message → painted frame):`);
  const r152 = await timeUpdates(m152, 21);
  console.log(`  ${'resnet152 unfolded, first view (100 %, top)'.padEnd(44)} ${ms(r152.median)}  (${r152.nodes} nodes in the DOM: the view and half a screen around it; target ≤ 300 ms)`);
  await page.keyboard.press('f');
  const fit152 = await timeUpdates(m152, 21);
  console.log(`  ${'resnet152 unfolded, Fit (width of the pane)'.padEnd(44)} ${ms(fit152.median)}  (${fit152.nodes} nodes)`);
  if (options.screenshot) await page.screenshot({ path: join(options.screenshot, 'bench-resnet152-fit.png') });
  // Every node with all its text in the DOM at once (what an export stages off-screen).
  const full = await page.evaluate(
    async ({ markup }) => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const g = document.getElementById('viewport');
      const times = [];
      for (let i = 0; i < 7; i++) {
        g.innerHTML = '';
        await frame();
        g.setAttribute('transform', 'translate(0,0) scale(1)');
        const start = performance.now();
        g.innerHTML = markup;
        await frame();
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return times[times.length >> 1];
    },
    { markup: renderDiagram(layout152) },
  );
  console.log(`  ${'resnet152 unfolded, all nodes with text'.padEnd(44)} ${ms(full)}  (DOM + style + layout + paint of the whole 438 KiB SVG, no culling)`);
  await page.keyboard.press('f');

  // Switch to resnet50 (a new document resets the folding to stages folded), then edits.
  await timeUpdates([message(text50, 'resnet50.resnet')], 1);
  const m50 = [message(text50, 'resnet50.resnet'), message(text50.replace('linear(1000)', 'linear(100)'), 'resnet50.resnet')];
  const folded50 = await timeUpdates(m50, 31);
  await page.evaluate(() => document.getElementById('unfold-all').click());
  const open50 = await timeUpdates(m50, 31);
  console.log(`  ${'resnet50 edit, stages folded'.padEnd(44)} ${ms(folded50.median)}  (${folded50.nodes} nodes)`);
  console.log(`  ${'resnet50 edit, every block unfolded'.padEnd(44)} ${ms(open50.median)}  (${open50.nodes} nodes)`);
  const editNode = median(editPath, 1000);
  console.log(`  ${'resnet50 edit, end to end (estimate)'.padEnd(44)} ${ms(editDebounceMs + editNode + folded50.median)}  (${editDebounceMs} ms debounce + ${editNode.toFixed(1)} ms server and JSON + ${folded50.median.toFixed(1)} ms webview; target ≤ 100 ms)`);
  if (options.screenshot) await page.screenshot({ path: join(options.screenshot, 'bench-resnet50.png') });

  // Export of the unfolded resnet50 (all of it, not just the view): time to the posted message, and a check of what it holds.
  for (const format of ['svg', 'png']) {
    const exported = await page.evaluate(async (format) => {
      window.posted = [];
      const start = performance.now();
      document.getElementById(`export-${format}`).click();
      while (!window.posted.some((m) => m.type === 'exported' || m.type === 'error')) await new Promise((r) => setTimeout(r, 5));
      const message = window.posted.find((m) => m.type === 'exported' || m.type === 'error');
      return { ms: performance.now() - start, type: message.type, head: (message.data ?? message.message).slice(0, 12), length: (message.data ?? '').length };
    }, format);
    const valid = exported.type === 'exported' && (format === 'svg' ? exported.head.startsWith('<svg') : exported.head.startsWith('iVBORw0KGgo'));
    console.log(`  ${`export ${format.toUpperCase()}, resnet50 unfolded`.padEnd(44)} ${ms(exported.ms)}  (${(exported.length / 1024).toFixed(0)} KiB${format === 'png' ? ' base64' : ''}, ${valid ? 'valid' : `NOT VALID: ${exported.type} ${exported.head}`})`);
  }
  console.log(`\nload average ${load()} at the end`);
  if (problems.length > 0) console.log(`\npage errors:\n  ${problems.join('\n  ')}`);
} finally {
  await browser.close();
}
