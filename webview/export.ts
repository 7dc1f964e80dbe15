// Export of the whole diagram (not just what the pane shows) as a standalone SVG or a PNG. The
// theme's colours are CSS variables in the webview; an exported file has no theme, so each drawn
// element gets its computed colours and fonts as presentation attributes.

const copied = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'fill-opacity', 'stroke-opacity', 'font-family', 'font-size', 'font-weight', 'font-style'] as const;

export function standaloneSvg(svg: SVGSVGElement, content: SVGGElement, size: { width: number; height: number }): string {
  const namespace = 'http://www.w3.org/2000/svg';
  const out = document.createElementNS(namespace, 'svg');
  out.setAttribute('xmlns', namespace);
  out.setAttribute('width', String(Math.ceil(size.width)));
  out.setAttribute('height', String(Math.ceil(size.height)));
  out.setAttribute('viewBox', `0 0 ${Math.ceil(size.width)} ${Math.ceil(size.height)}`);
  const background = document.createElementNS(namespace, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', getComputedStyle(svg).backgroundColor || getComputedStyle(document.body).backgroundColor);
  out.appendChild(background);
  for (const defs of Array.from(svg.querySelectorAll('defs'))) out.appendChild(inlined(defs));
  out.appendChild(inlined(content, true));
  return new XMLSerializer().serializeToString(out);
}

/** A deep copy with computed styles as attributes, without the view transform and focus/highlight state. */
function inlined(source: Element, root = false): Element {
  const copy = source.cloneNode(true) as Element;
  if (root) copy.removeAttribute('transform');
  const originals = [source, ...Array.from(source.querySelectorAll('*'))];
  const copies = [copy, ...Array.from(copy.querySelectorAll('*'))];
  originals.forEach((original, i) => {
    const target = copies[i];
    target.removeAttribute('tabindex');
    target.removeAttribute('class');
    if (original instanceof SVGElement && !(original instanceof SVGGElement) && original.tagName !== 'title') {
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
