// The diagram pane: the SVG, its zoom and pan, drawing what is in view, the selection marks, and
// the pointer and keyboard inside it. It knows the layout it shows, not where the graph comes from.

import type { Direction, ViewTransform } from '../contracts/preview';
import type { VisibleGraph } from './fold';
import { layoutGraph, type Box, type Layout, type PlacedNode } from './layout';
import { Minimap } from './minimap';
import { renderDiagram } from './render';
import { fitAcross, keepInPlace, reveal, startTransform, zoomAt } from './viewport';

const svgNs = 'http://www.w3.org/2000/svg';
/** Below this zoom text is unreadable: nodes are drawn as coloured boxes only. */
const detailScale = 0.3;

export interface DiagramEvents {
  /** A node was clicked (or chosen with the keyboard). */
  select(id: string, revealSource: boolean): void;
  /** A fold toggle or an open group's header was clicked. */
  toggle(id: string): void;
  /** Enter on a node. */
  reveal(id: string): void;
  /** Space on a node inside an open group, or on a group. */
  fold(id: string): void;
  /** The view moved or zoomed. */
  viewChanged(view: ViewTransform): void;
}

export class Diagram {
  readonly svg: SVGSVGElement;
  private readonly content: SVGGElement;
  private readonly minimap: Minimap;
  layout: Layout | undefined;
  private placed = new Map<string, PlacedNode>();
  view: ViewTransform;
  private painted: { window: Box; detail: boolean } | undefined;
  private heat: Map<string, number> | undefined;
  private marks: { selected?: string; cursor?: string; hit?: string } = {};
  private drag: { x: number; y: number; view: ViewTransform } | undefined;

  constructor(
    private readonly pane: HTMLElement,
    view: ViewTransform | undefined,
    private readonly events: DiagramEvents,
    private readonly direction: () => Direction,
  ) {
    this.view = view ?? { x: 0, y: 0, scale: 1 };
    this.svg = document.createElementNS(svgNs, 'svg');
    this.svg.id = 'diagram';
    this.svg.setAttribute('class', 'diagram');
    this.svg.setAttribute('role', 'application');
    this.svg.setAttribute('aria-label', 'Network diagram: arrow keys move between layers, Enter shows the source, Space folds or unfolds');
    this.svg.setAttribute('tabindex', '0');
    this.content = document.createElementNS(svgNs, 'g');
    this.content.id = 'viewport';
    this.svg.appendChild(this.content);
    pane.appendChild(this.svg);
    this.minimap = new Minimap(pane, (x, y) => {
      const { width, height } = this.paneSize();
      this.setView({ ...this.view, x: width / 2 - x * this.view.scale, y: height / 2 - y * this.view.scale });
    });
    this.listen();
  }

  paneSize() {
    return { width: this.pane.clientWidth || 800, height: this.pane.clientHeight || 600 };
  }

  /** Lays out and draws `visible`; with `anchor`, the view follows that node or group so that it stays where it was on screen. */
  show(visible: VisibleGraph | undefined, stale: boolean, anchor?: string): void {
    const before = anchor ? this.boxOf(anchor) : undefined;
    if (!visible) {
      this.content.replaceChildren();
      this.layout = undefined;
      this.painted = undefined;
      this.minimap.setLayout(undefined);
      return;
    }
    this.layout = layoutGraph(visible, this.direction());
    this.placed = new Map(this.layout.nodes.map((n) => [n.item.id, n]));
    this.svg.classList.toggle('stale', stale);
    this.minimap.setLayout(this.layout);
    const after = anchor ? this.boxOf(anchor) : undefined;
    this.painted = undefined;
    if (before && after) this.setView(this.acrossInView(keepInPlace(this.view, before, after), after));
    else this.paint();
  }

  setHeat(heat: Map<string, number> | undefined): void {
    this.heat = heat;
    this.painted = undefined;
    this.paint();
  }

  setMarks(marks: { selected?: string; cursor?: string; hit?: string }): void {
    this.marks = marks;
    this.markSelection();
  }

  nodeAt(id: string): PlacedNode | undefined {
    return this.placed.get(id);
  }

  boxOf(id: string | undefined): Box | undefined {
    if (!id || !this.layout) return undefined;
    return this.placed.get(id) ?? this.layout.frames.find((f) => f.item.id === id);
  }

  // ---- view ------------------------------------------------------------------------------------

  /** Moves the view sideways (only) so that a box that grew past the pane's right edge fits, if it can. */
  private acrossInView(view: ViewTransform, box: Box): ViewTransform {
    const { width } = this.paneSize();
    const right = view.x + (box.x + box.w) * view.scale;
    const left = view.x + box.x * view.scale;
    const shift = Math.min(right - (width - 12), left - 12);
    return shift > 0 ? { ...view, x: view.x - shift } : view;
  }

  setView(view: ViewTransform): void {
    this.view = view;
    this.lastWidth = this.paneSize().width;
    this.content.setAttribute('transform', `translate(${view.x},${view.y}) scale(${view.scale})`);
    if (this.layout && this.needsPaint()) this.paint();
    this.minimap.setView(view, this.paneSize());
    this.events.viewChanged(view);
  }

  /** Actual size, at the diagram's start. */
  start(): void {
    if (this.layout) this.setView(startTransform(this.layout, this.paneSize(), this.direction()));
  }

  fit(): void {
    if (this.layout) this.setView(fitAcross(this.layout, this.paneSize(), this.direction()));
  }

  zoomBy(factor: number): void {
    const { width, height } = this.paneSize();
    this.setView(zoomAt(this.view, factor, width / 2, height / 2));
  }

  actualSize(): void {
    this.zoomBy(1 / this.view.scale);
  }

  bringIntoView(id: string | undefined, always = false): void {
    const box = this.boxOf(id);
    if (box) this.setView(reveal(this.view, box, this.paneSize(), always));
  }

  private lastWidth: number | undefined;

  /** Keeps what was at the pane's centre line there when the pane's width changes (the side pane opens, say), and draws what it uncovers. */
  resized(): void {
    const { width } = this.paneSize();
    const shift = this.lastWidth === undefined ? 0 : (width - this.lastWidth) / 2;
    this.lastWidth = width;
    if (this.layout) this.setView({ ...this.view, x: this.view.x + shift });
  }

  private viewWindow(): Box {
    const { width, height } = this.paneSize();
    const v = this.view;
    return { x: -v.x / v.scale, y: -v.y / v.scale, w: width / v.scale, h: height / v.scale };
  }

  /**
   * Writes the DOM for the current view: what is on screen plus a screen and a half around it, so
   * panning redraws only now and then (and a pane that shrinks keeps its nodes), and a ResNet-152
   * costs what is near the view, not all 500 nodes.
   */
  private paint(): void {
    if (!this.layout) return;
    const v = this.viewWindow();
    const window = { x: v.x - v.w * 1.5, y: v.y - v.h * 1.5, w: v.w * 4, h: v.h * 4 };
    const detail = this.view.scale >= detailScale;
    this.content.innerHTML = renderDiagram(this.layout, { window, detail, heat: this.heat });
    this.painted = { window, detail };
    this.svg.classList.toggle('low-detail', !detail);
    this.markSelection();
  }

  private needsPaint(): boolean {
    if (!this.painted) return true;
    const v = this.viewWindow();
    const w = this.painted.window;
    const covered = v.x >= w.x && v.y >= w.y && v.x + v.w <= w.x + w.w && v.y + v.h <= w.y + w.h;
    return !covered || this.painted.detail !== this.view.scale >= detailScale;
  }

  private elementFor(id: string | undefined): SVGGElement | null {
    if (!id) return null;
    return this.content.querySelector(`[data-id="${CSS.escape(id)}"]`);
  }

  private markSelection(): void {
    for (const element of Array.from(this.content.querySelectorAll('.selected, .cursor, .search-hit'))) element.classList.remove('selected', 'cursor', 'search-hit');
    const selected = this.elementFor(this.marks.selected);
    selected?.classList.add('selected');
    this.elementFor(this.marks.cursor)?.classList.add('cursor');
    this.elementFor(this.marks.hit)?.classList.add('search-hit');
    // One tab stop in the diagram: the selected node, else the first.
    const focusable = selected?.classList.contains('node') ? selected : this.content.querySelector('.node');
    focusable?.setAttribute('tabindex', '0');
  }

  focusNode(id: string | undefined): void {
    const element = this.elementFor(id);
    if (!element) return;
    for (const other of Array.from(this.content.querySelectorAll('[tabindex="0"]'))) other.setAttribute('tabindex', '-1');
    element.setAttribute('tabindex', '0');
    const header = element.classList.contains('frame') ? this.content.querySelector<SVGGElement>(`[data-header="${CSS.escape(id!)}"]`) : null;
    const target = header ?? element;
    target.setAttribute('tabindex', '0');
    target.focus({ preventScroll: true });
  }

  /** The node `step` places before or after `id` along the network (shortcut layers left out). */
  private neighbour(id: string | undefined, step: number, shownId: (id: string) => string): string | undefined {
    const layout = this.layout;
    if (!layout || layout.nodes.length === 0) return undefined;
    const order = layout.nodes.filter((n) => !(n.item.type === 'node' && n.item.node.kind === 'shortcut')).map((n) => n.item.id);
    let index = id ? order.indexOf(shownId(id)) : -1;
    const frame = id ? layout.frames.find((f) => f.item.id === id) : undefined;
    if (index < 0 && frame) {
      // From an open group's header: forward into its first node, back to what precedes it.
      const first = order.findIndex((n) => {
        const box = this.placed.get(n)!;
        return box.x >= frame.x && box.y >= frame.y && box.x + box.w <= frame.x + frame.w && box.y + box.h <= frame.y + frame.h;
      });
      if (first >= 0) return order[Math.max(0, step > 0 ? first : first - 1)];
    }
    if (index < 0) index = 0;
    return order[Math.min(order.length - 1, Math.max(0, index + step))];
  }

  /** Keys inside the diagram; `shownId` maps a node hidden by folding to what shows it. */
  handleKey(event: KeyboardEvent, selected: string | undefined, shownId: (id: string) => string): boolean {
    const focused = (document.activeElement as Element | null)?.closest('[data-id], [data-header]');
    const focusedId = focused?.getAttribute('data-id') ?? focused?.getAttribute('data-header') ?? selected;
    const lr = this.direction() === 'LR';
    const forward = lr ? 'ArrowRight' : 'ArrowDown';
    const backward = lr ? 'ArrowLeft' : 'ArrowUp';
    switch (event.key) {
      case forward:
      case backward:
      case 'Home':
      case 'End': {
        const step = event.key === forward ? 1 : event.key === backward ? -1 : event.key === 'Home' ? -1e9 : 1e9;
        const id = this.neighbour(focusedId ?? undefined, step, shownId);
        if (id) {
          this.events.select(id, false);
          this.focusNode(id);
        }
        return true;
      }
      case 'Enter':
        if (focusedId) this.events.reveal(focusedId);
        return true;
      case ' ':
        if (focusedId) this.events.fold(focusedId);
        return true;
      default:
        return false;
    }
  }

  private listen(): void {
    const svg = this.svg;
    svg.addEventListener('click', (event) => {
      const target = event.target as Element;
      const header = target.closest('[data-fold]');
      if (header) return this.events.toggle(header.getAttribute('data-fold')!);
      const id = target.closest('.node')?.getAttribute('data-id');
      if (id) {
        this.events.select(id, true);
        this.focusNode(id);
      }
    });
    svg.addEventListener('dblclick', (event) => {
      const id = (event.target as Element).closest('.node.folded')?.getAttribute('data-id');
      if (id) this.events.toggle(id);
    });
    svg.addEventListener('pointerdown', (event) => {
      if ((event.target as Element).closest('.node, [data-fold]') || event.button !== 0) return;
      this.drag = { x: event.clientX, y: event.clientY, view: this.view };
      svg.setPointerCapture(event.pointerId);
      svg.classList.add('panning');
    });
    svg.addEventListener('pointermove', (event) => {
      const drag = this.drag;
      if (drag) this.setView({ ...drag.view, x: drag.view.x + event.clientX - drag.x, y: drag.view.y + event.clientY - drag.y });
    });
    const endDrag = () => {
      this.drag = undefined;
      svg.classList.remove('panning');
    };
    svg.addEventListener('pointerup', endDrag);
    svg.addEventListener('pointercancel', endDrag);
    svg.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        if (event.ctrlKey || event.metaKey) {
          const rect = svg.getBoundingClientRect();
          this.setView(zoomAt(this.view, Math.exp(-event.deltaY * 0.002), event.clientX - rect.left, event.clientY - rect.top));
        } else this.setView({ ...this.view, x: this.view.x - event.deltaX, y: this.view.y - event.deltaY });
      },
      { passive: false },
    );
  }

  /** Everything, for an export. */
  fullMarkup(): string {
    return this.layout ? renderDiagram(this.layout, { heat: this.heat }) : '';
  }
}
