// The preview webview's page: a strict Content-Security-Policy (scripts only with this load's nonce,
// styles and images only from the extension, no network), the stylesheet, the bundle, and the
// empty elements webview/main.ts fills.

import { contentSecurityPolicy } from './webview-page';

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
  // data: for the PNG export, which draws the diagram's SVG into a canvas.
  const csp = contentSecurityPolicy(page.cspSource, page.nonce, ['data:']);
  const attr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${page.nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(page.codiconsUri)}" nonce="${page.nonce}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${attr(page.styleUri)}" nonce="${page.nonce}">
<title>${attr(page.title)}</title>
</head>
<body>
<header id="toolbar">
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
</div>
<script nonce="${page.nonce}" src="${attr(page.scriptUri)}"></script>
</body>
</html>`;
}
