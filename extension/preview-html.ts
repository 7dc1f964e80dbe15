// The preview webview's page: a strict Content-Security-Policy (scripts only with this load's nonce,
// styles and images only from the extension, no network), the stylesheet, the bundle, and the
// empty elements webview/main.ts fills.

export interface PreviewPage {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function previewHtml(page: PreviewPage): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${page.nonce}'`,
    `style-src ${page.cspSource} 'nonce-${page.nonce}'`,
    `font-src ${page.cspSource}`,
    // data: for the PNG export, which draws the diagram's SVG into a canvas.
    `img-src ${page.cspSource} data:`,
  ].join('; ');
  const attr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${page.nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(page.styleUri)}" nonce="${page.nonce}">
<title>${attr(page.title)}</title>
</head>
<body>
<header id="toolbar">
  <div id="summary"><strong id="network-name"></strong><span id="network-slot"></span><span id="totals"></span></div>
  <div id="tools" role="toolbar" aria-label="Diagram"></div>
</header>
<div id="problems" role="status" aria-live="polite" hidden></div>
<main id="pane"></main>
<section id="details" aria-live="polite" hidden></section>
<section id="table" aria-label="Layers" hidden></section>
<script nonce="${page.nonce}" src="${attr(page.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 characters from a cryptographic source. */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, (c) => ({ '+': 'A', '/': 'B', '=': '' })[c]!);
}
