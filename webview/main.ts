// The preview webview: receives graphs from the extension host, keeps the user's folding, direction
// and zoom across updates, draws the diagram and the layer table, and reports clicks back.

import type { Graph } from '../language/core/graph';
import type { GraphResult } from '../contracts/graph';
import { standaloneSvg, pngBase64 } from './export';
import { foldAll, initialFoldState, isFolded, toggleFold, unfoldAncestors, visibleGraph, type VisibleGraph } from './fold';
import { layoutGraph, wrapLength, type Box, type Layout, type PlacedNode } from './layout';
import { elementAt, searchGraph } from './locate';
import type { ExportFormat, HostMessage, PreviewState, ViewTransform, WebviewMessage } from '../contracts/preview';
import { renderDetails, renderProblems, renderSummary } from './info';
import { reconcile, type LastGood } from './reconcile';
import { renderDiagram } from './render';
import { nextSort, type TableSort } from './table';
import { renderLayerTable } from './table-view';
import { button, dropdown, registerToolkit, setPressed, textField } from './toolkit';
import { fitTransform, reveal, zoomAt } from './viewport';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: PreviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

window.addEventListener('error', (event) => post({ type: 'error', message: String(event.message).slice(0, 2000) }));
window.addEventListener('unhandledrejection', (event) => post({ type: 'error', message: String(event.reason).slice(0, 2000) }));

registerToolkit();

// ---- state --------------------------------------------------------------------------------------

const restored = vscode.getState() as Partial<PreviewState> | undefined;
let state: PreviewState = {
  uri: restored?.uri ?? '',
  network: restored?.network,
  // A chain reads best along the pane's long side: top to bottom in a tall side panel.
  direction: restored?.direction ?? (window.innerHeight > window.innerWidth ? 'TB' : 'LR'),
  fold: restored?.fold ?? initialFoldState,
  view: restored?.view,
  showTable: restored?.showTable ?? false,
};
let result: GraphResult | undefined;
let fileName = '';
/** What is drawn: the newest graph, or the last good one while the file is broken. */
let graph: Graph | undefined;
let stale = false;
let lastGood: LastGood | undefined;
let visible: VisibleGraph | undefined;
let layout: Layout | undefined;
let placed = new Map<string, PlacedNode>();
let view: ViewTransform = state.view ?? { x: 0, y: 0, scale: 1 };
let selectedId: string | undefined;
let cursorId: string | undefined;
let searchHits: string[] = [];
let searchIndex = -1;
let sort: TableSort = { key: 'order', descending: false };
/**
 * The row length the chain wraps at, worked out for the pane when the folding, the direction or the
 * network changes (or on Fit), and kept through edits so that typing does not reflow the diagram.
 */
let wrap: number | undefined;

// ---- page ---------------------------------------------------------------------------------------

const svgNs = 'http://www.w3.org/2000/svg';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const networkName = $('network-name');
const totals = $('totals');
const problems = $('problems');
const pane = $('pane');
const details = $('details');
const tablePane = $('table');
const svg = document.createElementNS(svgNs, 'svg');
svg.id = 'diagram';
svg.setAttribute('class', 'diagram');
svg.setAttribute('role', 'application');
svg.setAttribute('aria-label', 'Network diagram: arrow keys move between layers, Enter shows the source, Space folds or unfolds');
svg.setAttribute('tabindex', '0');
const content = document.createElementNS(svgNs, 'g');
content.id = 'viewport';
svg.appendChild(content);
pane.appendChild(svg);

// The host answers with the other network's graph; the update then sees the switch and resets the view.
const networks = dropdown('Network', (name) => post({ type: 'selectNetwork', name }));
networks.element.id = 'network-picker';
$('network-slot').appendChild(networks.element);

const search = textField(
  'Find layer (/)',
  (query) => runSearch(query, 0),
  (query, backwards) => runSearch(query, searchIndex + (backwards ? -1 : 1)),
);
search.id = 'search';
const directionButton = button('Left → right', 'Toggle the direction: left to right or top to bottom (D)', () => setDirection(state.direction === 'LR' ? 'TB' : 'LR'));
const tableButton = button('Table', 'Show the per-layer table (T)', () => setShowTable(!state.showTable));
tableButton.id = 'toggle-table';
$('tools').append(
  search,
  directionButton,
  button('Fold all', 'Fold every stage and block', () => setFold(foldAll(true))),
  button('Unfold all', 'Unfold every stage and block', () => setFold(foldAll(false))),
  button('Fit', 'Fit the diagram to the view (F)', () => fit()),
  button('−', 'Zoom out (-)', () => zoomBy(1 / 1.25), { icon: true }),
  button('+', 'Zoom in (+)', () => zoomBy(1.25), { icon: true }),
  tableButton,
  button('SVG', 'Export the diagram as SVG', () => void exportDiagram('svg')),
  button('PNG', 'Export the diagram as PNG', () => void exportDiagram('png')),
);

// ---- drawing ------------------------------------------------------------------------------------

function persist(): void {
  vscode.setState({ ...state, view });
}

/** Below this zoom text is unreadable: nodes are drawn as coloured boxes only. */
const detailScale = 0.3;
/** What the DOM holds: the part of the layout around the view when it was drawn. */
let painted: { window: Box; detail: boolean } | undefined;

function viewWindow(): Box {
  const { width, height } = paneSize();
  return { x: -view.x / view.scale, y: -view.y / view.scale, w: width / view.scale, h: height / view.scale };
}

/**
 * Writes the DOM for the current view: what is on screen plus half a screen around it, so panning
 * redraws only now and then, and a ResNet-152 costs what is visible, not all 500 nodes.
 */
function paint(): void {
  if (!layout) return;
  const visibleBox = viewWindow();
  const window = { x: visibleBox.x - visibleBox.w / 2, y: visibleBox.y - visibleBox.h / 2, w: visibleBox.w * 2, h: visibleBox.h * 2 };
  const detail = view.scale >= detailScale;
  content.innerHTML = renderDiagram(layout, { window, detail });
  painted = { window, detail };
  svg.classList.toggle('low-detail', !detail);
  markSelection();
}

function needsPaint(): boolean {
  if (!painted) return true;
  const v = viewWindow();
  const w = painted.window;
  const covered = v.x >= w.x && v.y >= w.y && v.x + v.w <= w.x + w.w && v.y + v.h <= w.y + w.h;
  return !covered || painted.detail !== view.scale >= detailScale;
}

function applyView(): void {
  content.setAttribute('transform', `translate(${view.x},${view.y}) scale(${view.scale})`);
  if (layout && needsPaint()) paint();
  persist();
}

function paneSize() {
  return { width: pane.clientWidth || 800, height: pane.clientHeight || 600 };
}

function fit(): void {
  if (!layout) return;
  wrap = undefined;
  draw();
  view = fitTransform(layout!, paneSize());
  applyView();
}

/** A first view: the whole diagram when it stays readable, else its start at a readable size. */
function initialView(): void {
  if (!layout) return;
  const fitted = fitTransform(layout, paneSize());
  if (fitted.scale >= 0.45) view = fitted;
  else {
    // Its start, at the top left; centred across where it is narrower than the pane.
    const scale = 0.6;
    const { width, height } = paneSize();
    view = { scale, x: Math.max(12, (width - layout.width * scale) / 2), y: Math.max(12, (height - layout.height * scale) / 2) };
  }
  applyView();
}

function zoomBy(factor: number): void {
  const { width, height } = paneSize();
  view = zoomAt(view, factor, width / 2, height / 2);
  applyView();
}

function draw(): void {
  if (!graph) {
    content.replaceChildren();
    layout = undefined;
    painted = undefined;
    return;
  }
  visible = visibleGraph(graph, state.fold);
  wrap ??= wrapLength(visible, state.direction, paneSize());
  layout = layoutGraph(visible, state.direction, { wrap });
  placed = new Map(layout.nodes.map((n) => [n.item.id, n]));
  svg.classList.toggle('stale', stale);
  paint();
  persist();
}

function shownId(id: string | undefined): string | undefined {
  return id ? visible?.shownAs.get(id) ?? id : undefined;
}

function elementFor(id: string | undefined): SVGGElement | null {
  if (!id) return null;
  return content.querySelector(`[data-id="${CSS.escape(id)}"]`);
}

function markSelection(): void {
  for (const element of Array.from(content.querySelectorAll('.selected, .cursor, .search-hit'))) element.classList.remove('selected', 'cursor', 'search-hit');
  const selected = elementFor(shownId(selectedId));
  selected?.classList.add('selected');
  elementFor(shownId(cursorId))?.classList.add('cursor');
  if (searchIndex >= 0) elementFor(shownId(searchHits[searchIndex]))?.classList.add('search-hit');
  // One tab stop in the diagram: the selected node, else the first.
  const focusable = selected?.classList.contains('node') ? selected : content.querySelector('.node');
  focusable?.setAttribute('tabindex', '0');
  showDetails();
}

/** Whether `id` is `ancestor` or inside it. */
function withinOrSame(id: string, ancestor: string): boolean {
  if (!graph) return false;
  const parentOf = (x: string) => graph!.nodes.find((n) => n.id === x)?.parent ?? graph!.groups.find((g) => g.id === x)?.parent;
  for (let p: string | undefined = id; p; p = parentOf(p)) if (p === ancestor) return true;
  return false;
}

function boxOf(id: string | undefined): { x: number; y: number; w: number; h: number } | undefined {
  if (!id || !layout) return undefined;
  const node = placed.get(id);
  if (node) return node;
  const frame = layout.frames.find((f) => f.item.id === id);
  return frame;
}

function bringIntoView(id: string | undefined, always = false): void {
  const box = boxOf(id);
  if (!box) return;
  view = reveal(view, box, paneSize(), always);
  applyView();
}

// ---- header, problems, details ------------------------------------------------------------------

function renderHeader(): void {
  if (!result) return;
  renderSummary({ name: networkName, totals, networks }, result, graph, fileName);
  renderProblems(problems, result, stale, (index) => post({ type: 'revealProblem', index }));
}

function showDetails(): void {
  const id = shownId(selectedId ?? cursorId);
  renderDetails(details, id ? placed.get(id)?.item : undefined, id ? graph?.groups.find((g) => g.id === id) : undefined);
}

// ---- table --------------------------------------------------------------------------------------

function renderTable(): void {
  tablePane.hidden = !state.showTable;
  setPressed(tableButton, state.showTable);
  if (!state.showTable || !graph) return;
  renderLayerTable(
    tablePane,
    graph,
    sort,
    (key) => {
      sort = nextSort(sort, key);
      renderTable();
    },
    (id) => select(id, true),
  );
}

function setShowTable(show: boolean): void {
  state = { ...state, showTable: show };
  renderTable();
  persist();
}

// ---- interaction --------------------------------------------------------------------------------

function setFold(fold: PreviewState['fold']): void {
  state = { ...state, fold };
  wrap = undefined;
  draw();
}

function setDirection(direction: PreviewState['direction']): void {
  state = { ...state, direction };
  wrap = undefined;
  directionButton.textContent = direction === 'LR' ? 'Left → right' : 'Top ↓ bottom';
  draw();
  initialView();
}
directionButton.textContent = state.direction === 'LR' ? 'Left → right' : 'Top ↓ bottom';

/** Selects a node or group: marks it, shows it (unfolding what hides it when asked) and reveals its source. */
function select(id: string, revealSource: boolean): void {
  selectedId = id;
  if (graph && shownId(id) !== id) {
    setFold(unfoldAncestors(state.fold, graph, [id]));
  } else markSelection();
  bringIntoView(shownId(id));
  if (revealSource) post({ type: 'reveal', id });
}

function runSearch(query: string, index: number): void {
  if (!graph) return;
  searchHits = searchGraph(graph, query);
  search.classList.toggle('no-match', query.trim() !== '' && searchHits.length === 0);
  if (searchHits.length === 0) {
    searchIndex = -1;
    markSelection();
    return;
  }
  searchIndex = ((index % searchHits.length) + searchHits.length) % searchHits.length;
  const id = searchHits[searchIndex];
  selectedId = id;
  setFold(unfoldAncestors(state.fold, graph, [id]));
  bringIntoView(shownId(id), true);
}

function toggleGroup(id: string): void {
  state = { ...state, fold: toggleFold(state.fold, id) };
  wrap = undefined;
  selectedId = id;
  draw();
  bringIntoView(id);
  focusNode(id);
}

function focusNode(id: string | undefined): void {
  const element = elementFor(shownId(id));
  if (!element) return;
  for (const other of Array.from(content.querySelectorAll('[tabindex="0"]'))) other.setAttribute('tabindex', '-1');
  element.setAttribute('tabindex', '0');
  const target = element.classList.contains('frame') ? element.querySelector<SVGGElement>('.frame-header') : element;
  target?.setAttribute('tabindex', '0');
  target?.focus({ preventScroll: true });
}

svg.addEventListener('click', (event) => {
  const target = event.target as Element;
  const header = target.closest('[data-fold]');
  if (header) return toggleGroup(header.getAttribute('data-fold')!);
  const node = target.closest('.node');
  const id = node?.getAttribute('data-id');
  if (id) {
    select(id, true);
    focusNode(id);
  }
});
svg.addEventListener('dblclick', (event) => {
  const node = (event.target as Element).closest('.node.folded');
  const id = node?.getAttribute('data-id');
  if (id) toggleGroup(id);
});

let drag: { x: number; y: number; view: ViewTransform } | undefined;
svg.addEventListener('pointerdown', (event) => {
  if ((event.target as Element).closest('.node, [data-fold]') || event.button !== 0) return;
  drag = { x: event.clientX, y: event.clientY, view };
  svg.setPointerCapture(event.pointerId);
  svg.classList.add('panning');
});
svg.addEventListener('pointermove', (event) => {
  if (!drag) return;
  view = { ...drag.view, x: drag.view.x + event.clientX - drag.x, y: drag.view.y + event.clientY - drag.y };
  applyView();
});
const endDrag = () => {
  drag = undefined;
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
      view = zoomAt(view, Math.exp(-event.deltaY * 0.002), event.clientX - rect.left, event.clientY - rect.top);
    } else view = { ...view, x: view.x - event.deltaX, y: view.y - event.deltaY };
    applyView();
  },
  { passive: false },
);

function neighbour(id: string | undefined, step: number): string | undefined {
  if (!layout || layout.nodes.length === 0) return undefined;
  const order = layout.nodes.filter((n) => !(n.item.type === 'node' && n.item.node.kind === 'shortcut')).map((n) => n.item.id);
  let index = id ? order.indexOf(shownId(id)!) : -1;
  if (index < 0 && id && layout.frames.some((f) => f.item.id === id)) {
    // From an open stage or block's header: forward into its first node, back to what precedes it.
    const first = order.findIndex((n) => withinOrSame(n, id));
    if (first >= 0) return order[Math.max(0, step > 0 ? first : first - 1)];
  }
  if (index < 0) index = 0;
  return order[Math.min(order.length - 1, Math.max(0, index + step))];
}

svg.addEventListener('keydown', (event) => {
  const focusedId = (document.activeElement as Element | null)?.closest('[data-id]')?.getAttribute('data-id') ?? selectedId;
  const forward = state.direction === 'LR' ? 'ArrowRight' : 'ArrowDown';
  const backward = state.direction === 'LR' ? 'ArrowLeft' : 'ArrowUp';
  let handled = true;
  switch (event.key) {
    case forward:
    case backward:
    case 'Home':
    case 'End': {
      const step = event.key === forward ? 1 : event.key === backward ? -1 : event.key === 'Home' ? -Infinity : Infinity;
      const id = neighbour(focusedId, Number.isFinite(step) ? step : step > 0 ? 1e9 : -1e9);
      if (id) {
        select(id, false);
        focusNode(id);
      }
      break;
    }
    case 'Enter':
      if (focusedId) post({ type: 'reveal', id: focusedId });
      break;
    case ' ': {
      if (!focusedId || !graph) break;
      const group = graph.groups.find((g) => g.id === focusedId);
      if (group) toggleGroup(group.id);
      else {
        const parent = graph.nodes.find((n) => n.id === focusedId)?.parent;
        if (parent && !isFolded(state.fold, parent)) toggleGroup(parent);
      }
      break;
    }
    default:
      handled = false;
  }
  if (handled) event.preventDefault();
});

document.addEventListener('keydown', (event) => {
  if ((event.target as Element | null)?.closest?.('vscode-text-field, vscode-data-grid, vscode-dropdown')) return;
  const keys: Record<string, () => void> = {
    f: fit,
    '+': () => zoomBy(1.25),
    '=': () => zoomBy(1.25),
    '-': () => zoomBy(1 / 1.25),
    '0': () => {
      view = { ...view, scale: 1 };
      applyView();
    },
    d: () => setDirection(state.direction === 'LR' ? 'TB' : 'LR'),
    t: () => setShowTable(!state.showTable),
    '/': () => search.focus(),
  };
  const action = event.ctrlKey || event.metaKey || event.altKey ? undefined : keys[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

new ResizeObserver(() => {
  if (!layout) return;
  // Before the first view is set, fit the diagram to the pane's real size; after, draw what a larger pane uncovers.
  if (state.view) applyView();
  else initialView();
}).observe(pane);

// ---- export -------------------------------------------------------------------------------------

async function exportDiagram(format: ExportFormat): Promise<void> {
  if (!layout) return;
  const text = standaloneSvg(renderDiagram(layout), layout, getComputedStyle(svg).backgroundColor);
  const data = format === 'svg' ? text : await pngBase64(text, layout);
  post({ type: 'exported', format, data });
}

// ---- messages from the host ---------------------------------------------------------------------

function update(message: Extract<HostMessage, { type: 'update' }>): void {
  result = message.result;
  fileName = message.fileName;
  const next = reconcile({ uri: state.uri, network: state.network }, lastGood, result);
  graph = next.graph;
  stale = next.stale;
  lastGood = next.lastGood;
  if (next.switched) {
    wrap = undefined;
    state = { ...state, fold: initialFoldState, view: undefined };
    selectedId = undefined;
    searchIndex = -1;
  }
  state = { ...state, uri: next.shown.uri, network: next.shown.network };
  const firstDraw = !layout;
  draw();
  renderHeader();
  renderTable();
  if (next.switched || (firstDraw && !state.view)) initialView();
  else applyView();
  state = { ...state, view };
  document.body.dataset.version = String(result.version);
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message?.type) {
    case 'update':
      update(message);
      break;
    case 'cursor':
      cursorId = message.offset !== null && graph ? elementAt(graph, message.offset) : undefined;
      // The editor moved elsewhere: what it points at is now the subject, unless it is where the
      // clicked node is written (revealing a node moves the cursor onto its statement).
      if (selectedId && cursorId && !withinOrSame(selectedId, cursorId)) selectedId = undefined;
      markSelection();
      if (cursorId) bringIntoView(shownId(cursorId));
      break;
    case 'export':
      void exportDiagram(message.format).catch((error: unknown) => post({ type: 'error', message: `export failed: ${String(error)}` }));
      break;
  }
});

post({ type: 'ready' });
