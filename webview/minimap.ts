// The overview of a large diagram in the pane's corner: every node as a small box, the part the
// pane shows as a rectangle; a click or drag there moves the view.

import type { ViewTransform } from '../contracts/preview';
import type { Layout } from './layout';

const svgNs = 'http://www.w3.org/2000/svg';
/** Its size in the pane, at most. */
const maxSide = { w: 90, h: 240 };

export class Minimap {
  readonly element: SVGSVGElement;
  private readonly content: SVGGElement;
  private readonly frame: SVGRectElement;
  private layout: Layout | undefined;
  private scale = 1;
  private dragging = false;

  constructor(
    container: HTMLElement,
    private readonly centreOn: (x: number, y: number) => void,
  ) {
    this.element = document.createElementNS(svgNs, 'svg');
    this.element.id = 'minimap';
    this.element.setAttribute('aria-label', 'Overview: click to move the view');
    this.content = document.createElementNS(svgNs, 'g');
    this.frame = document.createElementNS(svgNs, 'rect');
    this.frame.setAttribute('class', 'minimap-view');
    this.element.append(this.content, this.frame);
    container.appendChild(this.element);
    const move = (event: PointerEvent) => {
      if (!this.layout) return;
      const rect = this.element.getBoundingClientRect();
      this.centreOn((event.clientX - rect.left) / this.scale, (event.clientY - rect.top) / this.scale);
    };
    this.element.addEventListener('pointerdown', (event) => {
      this.dragging = true;
      this.element.setPointerCapture(event.pointerId);
      move(event);
      event.stopPropagation();
    });
    this.element.addEventListener('pointermove', (event) => this.dragging && move(event));
    this.element.addEventListener('pointerup', () => (this.dragging = false));
  }

  setLayout(layout: Layout | undefined): void {
    this.layout = layout;
    if (!layout) return;
    this.scale = Math.min(maxSide.w / layout.width, maxSide.h / layout.height);
    this.element.setAttribute('width', String(Math.ceil(layout.width * this.scale)));
    this.element.setAttribute('height', String(Math.ceil(layout.height * this.scale)));
    const s = this.scale;
    this.content.innerHTML =
      layout.frames.map((f) => `<rect class="minimap-frame" x="${f.x * s}" y="${f.y * s}" width="${f.w * s}" height="${f.h * s}"/>`).join('') +
      layout.nodes.map((n) => `<rect class="minimap-node" x="${n.x * s}" y="${n.y * s}" width="${Math.max(1, n.w * s)}" height="${Math.max(1, n.h * s)}"/>`).join('');
  }

  /** Shown only while the diagram does not fit the pane, and only where it covers none of it. */
  setView(view: ViewTransform, pane: { width: number; height: number }): void {
    const layout = this.layout;
    const fits = !layout || (layout.width * view.scale <= pane.width && layout.height * view.scale <= pane.height);
    const room = !!layout && view.x + layout.width * view.scale <= pane.width - layout.width * this.scale - 24;
    this.element.classList.toggle('hidden', fits || !room);
    if (fits || !layout) return;
    const s = this.scale;
    this.frame.setAttribute('x', String((-view.x / view.scale) * s));
    this.frame.setAttribute('y', String((-view.y / view.scale) * s));
    this.frame.setAttribute('width', String((pane.width / view.scale) * s));
    this.frame.setAttribute('height', String((pane.height / view.scale) * s));
  }
}
