// What every ResNet Studio webview page shares: its Content-Security-Policy, the nonce of one load,
// and the document around a page's own style and elements.

/**
 * The policy every ResNet Studio webview uses: scripts only with this load's nonce, styles, fonts and
 * images only from the extension (styles also under the nonce: the toolkit's components adopt theirs
 * that way), nothing from the network. `imageSchemes` adds what a page draws itself (data:, blob:).
 */
export function contentSecurityPolicy(cspSource: string, nonce: string, imageSchemes: string[]): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${[cspSource, ...imageSchemes].join(' ')}`,
  ].join('; ');
}

/** A page with one inline stylesheet and one script bundle, both under this load's nonce. */
export function webviewDocument(page: { csp: string; nonce: string; title: string; style: string; body: string; scriptUri: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${page.csp}">
<meta property="csp-nonce" content="${page.nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${page.title}</title>
<style nonce="${page.nonce}">${page.style}</style>
</head>
<body>
${page.body}
<script nonce="${page.nonce}" src="${page.scriptUri}"></script>
</body>
</html>`;
}

/** 32 characters from a cryptographic source. */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, (c) => ({ '+': 'A', '/': 'B', '=': '' })[c]!);
}
