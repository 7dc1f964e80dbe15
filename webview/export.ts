// Export of the whole diagram (not just what the pane shows) as a standalone SVG or a PNG. The
// theme's colours are CSS variables in the webview; an exported file has no theme, so each drawn
// element gets its computed colours and fonts as presentation attributes.

const copied = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'fill-opacity', 'stroke-opacity', 'font-family', 'font-size', 'font-weight', 'font-style'] as const;

/** `markup` (from renderDiagram, fully drawn) as an SVG file: drawn once off-screen with the page's styles, which are then copied in. */
export function standaloneSvg(markup: string, size: { width: number; height: number }, background: string): string {
  const namespace = 'http://www.w3.org/2000/svg';
  const staging = document.createElementNS(namespace, 'svg');
  staging.setAttribute('class', 'diagram export-staging');
  staging.innerHTML = `<g>${markup}</g>`;
  document.body.appendChild(staging);
  try {
    const out = document.createElementNS(namespace, 'svg');
    out.setAttribute('xmlns', namespace);
    out.setAttribute('width', String(Math.ceil(size.width)));
    out.setAttribute('height', String(Math.ceil(size.height)));
    out.setAttribute('viewBox', `0 0 ${Math.ceil(size.width)} ${Math.ceil(size.height)}`);
    const backdrop = document.createElementNS(namespace, 'rect');
    backdrop.setAttribute('width', '100%');
    backdrop.setAttribute('height', '100%');
    backdrop.setAttribute('fill', background);
    out.appendChild(backdrop);
    out.appendChild(inlined(staging.firstElementChild!));
    return new XMLSerializer().serializeToString(out);
  } finally {
    staging.remove();
  }
}

/** A deep copy with computed styles as attributes, without the view transform and focus/highlight state. */
function inlined(source: Element): Element {
  const copy = source.cloneNode(true) as Element;
  const originals = [source, ...Array.from(source.querySelectorAll('*'))];
  const copies = [copy, ...Array.from(copy.querySelectorAll('*'))];
  originals.forEach((original, i) => {
    const target = copies[i];
    for (const attribute of ['tabindex', 'class', 'role', 'aria-label', 'aria-expanded', 'data-id', 'data-fold', 'data-from', 'data-to']) target.removeAttribute(attribute);
    if (original instanceof SVGElement && !(original instanceof SVGGElement) && original.tagName !== 'title') {
      // Presentation attributes, not a style attribute: the file then renders the same in any viewer.
      const style = getComputedStyle(original);
      for (const property of copied) {
        const value = style.getPropertyValue(property);
        if (value) target.setAttribute(property, value);
      }
      if (style.display === 'none') target.setAttribute('display', 'none');
    }
  });
  return copy;
}

/** PNG bytes as base64, drawn at up to 2× but within the canvas limits browsers keep. */
export async function pngBase64(svgText: string, size: { width: number; height: number }): Promise<string> {
  const maxSide = 16_384;
  const maxArea = 120_000_000;
  const scale = Math.min(2, maxSide / size.width, maxSide / size.height, Math.sqrt(maxArea / (size.width * size.height)));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.floor(size.width * scale));
  canvas.height = Math.max(1, Math.floor(size.height * scale));
  const image = new Image();
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the diagram could not be drawn as an image'));
  });
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await loaded;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas in this webview');
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL('image/png');
  return url.slice(url.indexOf(',') + 1);
}
