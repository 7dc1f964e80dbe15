// The preview webview's page: the shared webview document (extension/webview-page.ts) with the
// codicon and preview stylesheets, the bundle, and the empty elements webview/main.ts fills.

import { webviewDocument } from './webview-page';

export interface PreviewPage {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** The codicon font's stylesheet (tools/build.mjs copies it into dist/codicons). */
  codiconsUri: string;
  title: string;
}

export function previewHtml(page: PreviewPage): string {
  return webviewDocument({
    cspSource: page.cspSource,
    // data: for the PNG export, which draws the diagram's SVG into a canvas.
    imageSchemes: ['data:'],
    nonce: page.nonce,
    title: page.title,
    stylesheets: [{ href: page.codiconsUri, id: 'vscode-codicon-stylesheet' }, { href: page.styleUri }],
    body: `<header id="toolbar">
  <div id="tools" role="toolbar" aria-label="Diagram"></div>
  <div id="summary"><strong id="network-name"></strong> <span id="totals"></span></div>
  <div id="legend" aria-label="Colour legend" hidden></div>
</header>
<div id="problems" role="status" aria-live="polite" hidden></div>
<div id="workspace">
  <main id="pane"></main>
  <aside id="side" hidden>
    <section id="details" aria-live="polite" aria-label="Details" hidden></section>
    <section id="compare" aria-label="Comparison" hidden></section>
    <section id="table" aria-label="Layers" hidden></section>
  </aside>
</div>`,
    scriptUri: page.scriptUri,
  });
}
