// What every ResNet Studio webview page shares: its Content-Security-Policy, the nonce of one load,
// and the document around a page's own stylesheets and elements.

/**
 * The policy every ResNet Studio webview uses: scripts only with this load's nonce, styles, fonts and
 * images only from the extension (styles also under the nonce: the toolkit's components adopt theirs
 * that way), nothing from the network. `imageSchemes` adds what a page draws itself (data:, blob:).
 */
function contentSecurityPolicy(cspSource: string, nonce: string, imageSchemes: string[]): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${[cspSource, ...imageSchemes].join(' ')}`,
  ].join('; ');
}

export interface WebviewPage {
  /** The webview's `cspSource`: where styles, fonts and images may come from. */
  cspSource: string;
  /** What the page draws itself, allowed as image sources besides the extension (data:, blob:). */
  imageSchemes: string[];
  nonce: string;
  title: string;
  /** Stylesheets of the extension, linked under the nonce; `id` where a library looks one up by it. */
  stylesheets?: { href: string; id?: string }[];
  /** A stylesheet written into the page. */
  style?: string;
  /** The page's own elements. */
  body: string;
  /** The one script: the page's bundle. */
  scriptUri: string;
}

const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The document of a page: its policy, its stylesheets and its script bundle, all under this load's nonce. */
export function webviewDocument(page: WebviewPage): string {
  const csp = contentSecurityPolicy(page.cspSource, page.nonce, page.imageSchemes);
  const links = (page.stylesheets ?? []).map(
    (sheet) => `<link rel="stylesheet" href="${attribute(sheet.href)}" nonce="${page.nonce}"${sheet.id ? ` id="${sheet.id}"` : ''}>\n`,
  );
  const style = page.style === undefined ? '' : `<style nonce="${page.nonce}">${page.style}</style>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta property="csp-nonce" content="${page.nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${attribute(page.title)}</title>
${links.join('')}${style}</head>
<body>
${page.body}
<script nonce="${page.nonce}" src="${attribute(page.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 characters from a cryptographic source. */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, (c) => ({ '+': 'A', '/': 'B', '=': '' })[c]!);
}
