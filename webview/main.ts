// The preview webview: receives graphs from the extension host, keeps the user's folding (per file
// and network), direction and zoom across updates, and wires the toolbar, the diagram, the side pane
// (details, comparison, layer table) and the messages back to the host.

import type { Graph } from '../language/core/graph';
import type { GraphResult } from '../contracts/graph';
import { keptFolds, type ExportFormat, type FoldState, type HostMessage, type LayerDetails, type Metric, type PreviewState, type WebviewMessage } from '../contracts/preview';
import { renderComparison } from './compare-view';
import { hasWeights, renderDetails } from './details';
import { Diagram } from './diagram';
import { standaloneSvg, pngBase64 } from './export';
import { foldAll, initialFoldState, isFolded, toggleFold, unfoldAncestors, visibleGraph, visibleNodes, type VisibleGraph } from './fold';
import { renderProblems, renderSummary } from './info';
import { renderLegend } from './legend';
import { elementAt, searchGraph } from './locate';
import { heatLevels, timesFor, type LayerTimes } from './metric';
import { reconcile, type LastGood } from './reconcile';
import { nextSort, type TableSort } from './table';
import { renderLayerTable } from './table-view';
import { forwardErrors } from './page';
import { Toolbar } from './toolbar';
import { registerToolkit } from './toolkit';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: PreviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

forwardErrors(post);

registerToolkit();

// ---- state --------------------------------------------------------------------------------------

const restored = vscode.getState() as Partial<PreviewState> | undefined;
let state: PreviewState = {
  uri: restored?.uri ?? '',
  network: restored?.network,
  direction: restored?.direction ?? 'TB',
  fold: restored?.fold ?? initialFoldState,
  view: restored?.view,
  showTable: restored?.showTable ?? false,
  metric: restored?.metric ?? 'none',
  folds: restored?.folds ?? {},
};
let result: GraphResult | undefined;
let fileName = '';
/** What is drawn: the newest graph, or the last good one while the file is broken. */
let graph: Graph | undefined;
let stale = false;
let lastGood: LastGood | undefined;
let visible: VisibleGraph | undefined;
let selectedId: string | undefined;
let cursorId: string | undefined;
let searchHits: string[] = [];
let searchIndex = -1;
let sort: TableSort = { key: 'order', descending: false };
/** Groups open in the table (its folding is its own: the table is for reading numbers). */
const tableOpen = new Set<string>();
let times: LayerTimes | undefined;
/** The last `layerTimes` message, kept until its network is shown. */
let timesMessage: Extract<HostMessage, { type: 'layerTimes' }> | undefined;
let details: { id: string; details?: LayerDetails } | undefined;
let comparison: { label: string; graph?: Graph } | undefined;

// ---- page ---------------------------------------------------------------------------------------

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pane = $('pane');
const side = $('side');
const detailsPane = $('details');
const comparePane = $('compare');
const tablePane = $('table');
const legend = $('legend');

const diagram = new Diagram(
  pane,
  state.view,
  {
    select: (id, revealSource) => select(id, revealSource),
    toggle: (id) => toggleGroup(id),
    reveal: (id) => post({ type: 'reveal', id }),
    fold: (id) => foldAt(id),
    viewChanged: (view) => {
      toolbar.setZoom(view.scale);
      persist();
    },
  },
  () => state.direction,
);

const toolbar = new Toolbar($('tools'), {
  search: (query, step) => runSearch(query, step === 0 ? 0 : searchIndex + step),
  selectNetwork: (name) => post({ type: 'selectNetwork', name }),
  toggleDirection: () => setDirection(state.direction === 'LR' ? 'TB' : 'LR'),
  foldAll: (folded) => setFold(foldAll(folded)),
  fit: () => diagram.fit(),
  zoom: (factor) => diagram.zoomBy(factor),
  actualSize: () => diagram.actualSize(),
  metric: (metric) => setMetric(metric),
  toggleTable: () => setShowTable(!state.showTable),
  compare: () => (comparison ? closeComparison() : post({ type: 'pickCompare' })),
  export: (format) => void exportDiagram(format),
});
toolbar.setDirection(state.direction);
toolbar.setMetric(state.metric ?? 'none', false);

function persist(): void {
  vscode.setState({ ...state, view: diagram.view });
}

// ---- drawing ------------------------------------------------------------------------------------

const shownId = (id: string) => visible?.shownAs.get(id) ?? id;

function draw(anchor?: string): void {
  visible = graph ? visibleGraph(graph, state.fold) : undefined;
  diagram.show(visible, stale, anchor);
  paintHeat();
  markSelection();
  persist();
}

function paintHeat(): void {
  const heat = visible ? heatLevels(visible, state.metric ?? 'none', times) : undefined;
  diagram.setHeat(heat?.levels);
  renderLegend(legend, heat?.legend);
}

function markSelection(): void {
  diagram.setMarks({
    selected: selectedId && shownId(selectedId),
    cursor: cursorId && shownId(cursorId),
    hit: searchIndex >= 0 ? shownId(searchHits[searchIndex]) : undefined,
  });
  showDetails();
}

// ---- side pane: details, comparison, table ------------------------------------------------------

function updateSide(): void {
  side.hidden = detailsPane.hidden && comparePane.hidden && tablePane.hidden;
  diagram.resized();
}

function showDetails(): void {
  const focus = selectedId ?? cursorId;
  const id = focus && shownId(focus);
  const node = id ? graph?.nodes.find((n) => n.id === id) : undefined;
  if (id && hasWeights(node) && details?.id !== id) {
    details = { id };
    post({ type: 'details', id });
  }
  const folded = id && visible ? [...visibleNodes(visible.items)].find((n) => n.id === id) : undefined;
  renderDetails(detailsPane, graph, id, folded?.type === 'folded' ? folded.diagnostics : undefined, details?.id === id ? details?.details : undefined);
  updateSide();
}

function renderComparisonPane(): void {
  renderComparison(comparePane, graph, comparison, closeComparison);
  toolbar.setComparing(!!comparison?.graph);
  updateSide();
}

function closeComparison(): void {
  comparison = undefined;
  renderComparisonPane();
}

function renderTable(): void {
  tablePane.hidden = !state.showTable || !graph;
  toolbar.setTable(state.showTable);
  if (!tablePane.hidden && graph) {
    renderLayerTable(tablePane, graph, sort, tableOpen, times, {
      onSort: (key) => {
        sort = nextSort(sort, key);
        renderTable();
      },
      onToggle: (id) => {
        if (!tableOpen.delete(id)) tableOpen.add(id);
        renderTable();
      },
      onActivate: (id) => select(id, true),
    });
  }
  updateSide();
}

function setShowTable(show: boolean): void {
  state = { ...state, showTable: show };
  renderTable();
  persist();
}

// ---- interaction --------------------------------------------------------------------------------

function setFold(fold: FoldState, anchor?: string): void {
  state = { ...state, fold };
  draw(anchor);
}

function setDirection(direction: PreviewState['direction']): void {
  state = { ...state, direction };
  toolbar.setDirection(direction);
  draw();
  diagram.start();
}

function setMetric(metric: Metric): void {
  state = { ...state, metric };
  toolbar.setMetric(metric, !!times);
  paintHeat();
  persist();
}

/** Selects a node or group: marks it, shows it (unfolding what hides it when asked) and reveals its source. */
function select(id: string, revealSource: boolean): void {
  selectedId = id;
  if (graph && shownId(id) !== id) setFold(unfoldAncestors(state.fold, graph, [id]));
  else markSelection();
  diagram.bringIntoView(shownId(id));
  if (revealSource) post({ type: 'reveal', id });
}

function runSearch(query: string, index: number): void {
  if (!graph) return;
  searchHits = searchGraph(graph, query);
  toolbar.setNoMatch(query.trim() !== '' && searchHits.length === 0);
  if (searchHits.length === 0) {
    searchIndex = -1;
    markSelection();
    return;
  }
  searchIndex = ((index % searchHits.length) + searchHits.length) % searchHits.length;
  const id = searchHits[searchIndex];
  selectedId = id;
  setFold(unfoldAncestors(state.fold, graph, [id]));
  diagram.bringIntoView(shownId(id), true);
}

/** Folds or unfolds a group; the diagram moves so that the group stays where it was on screen. */
function toggleGroup(id: string): void {
  setFold(toggleFold(state.fold, id), id);
  diagram.focusNode(id);
}

function foldAt(id: string): void {
  if (!graph) return;
  const group = graph.groups.find((g) => g.id === id);
  if (group) return toggleGroup(group.id);
  const parent = graph.nodes.find((n) => n.id === id)?.parent;
  if (parent && !isFolded(state.fold, parent)) toggleGroup(parent);
}

diagram.svg.addEventListener('keydown', (event) => {
  if (diagram.handleKey(event, selectedId, shownId)) event.preventDefault();
});

document.addEventListener('keydown', (event) => {
  if ((event.target as Element | null)?.closest?.('vscode-text-field, vscode-dropdown, table')) return;
  const keys: Record<string, () => void> = {
    f: () => diagram.fit(),
    '+': () => diagram.zoomBy(1.25),
    '=': () => diagram.zoomBy(1.25),
    '-': () => diagram.zoomBy(1 / 1.25),
    '0': () => diagram.actualSize(),
    d: () => setDirection(state.direction === 'LR' ? 'TB' : 'LR'),
    t: () => setShowTable(!state.showTable),
    '/': () => toolbar.focusSearch(),
  };
  const action = event.ctrlKey || event.metaKey || event.altKey ? undefined : keys[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

let firstView = !state.view;
new ResizeObserver(() => {
  if (!diagram.layout) return;
  if (firstView) {
    firstView = false;
    diagram.start();
  } else diagram.resized();
}).observe(pane);

// ---- export -------------------------------------------------------------------------------------

async function exportDiagram(format: ExportFormat): Promise<void> {
  const layout = diagram.layout;
  if (!layout) return;
  const text = standaloneSvg(diagram.fullMarkup(), layout, getComputedStyle(diagram.svg).backgroundColor);
  const data = format === 'svg' ? text : await pngBase64(text, layout);
  post({ type: 'exported', format, data });
}

// ---- messages from the host ---------------------------------------------------------------------

const foldKey = (uri: string, network: string | undefined) => `${uri}#${network ?? ''}`;

function update(message: Extract<HostMessage, { type: 'update' }>): void {
  result = message.result;
  fileName = message.fileName;
  const next = reconcile({ uri: state.uri, network: state.network }, lastGood, result);
  graph = next.graph;
  stale = next.stale;
  lastGood = next.lastGood;
  if (next.switched) {
    // Keep the folding of what was shown; restore what this file and network had, if it was shown before.
    const folds = { ...state.folds, [foldKey(state.uri, state.network)]: state.fold };
    const key = foldKey(next.shown.uri, next.shown.network);
    const fold = folds[key] ?? initialFoldState;
    delete folds[key];
    const kept = Object.entries(folds).slice(-keptFolds);
    state = { ...state, fold, view: undefined, folds: Object.fromEntries(kept) };
    selectedId = undefined;
    cursorId = undefined;
    searchIndex = -1;
    details = undefined;
    tableOpen.clear();
  }
  state = { ...state, uri: next.shown.uri, network: next.shown.network };
  times = graph && timesMessage ? timesFor(graph.network, timesMessage) : undefined;
  toolbar.setMetric(state.metric ?? 'none', !!times);
  const firstDraw = !diagram.layout;
  draw();
  renderSummary(toolbar.summary, result, graph, fileName);
  renderProblems($('problems'), result, stale, (index) => post({ type: 'revealProblem', index }));
  renderTable();
  renderComparisonPane();
  if (next.switched || (firstDraw && !state.view)) {
    firstView = false;
    diagram.start();
  } else diagram.setView(diagram.view);
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
      if (cursorId) diagram.bringIntoView(shownId(cursorId));
      break;
    case 'export':
      void exportDiagram(message.format).catch((error: unknown) => post({ type: 'error', message: `export failed: ${String(error)}` }));
      break;
    case 'layerTimes':
      timesMessage = message;
      times = graph ? timesFor(graph.network, message) : undefined;
      // Measured times are what the user ran the inference for: show them.
      if (times) setMetric('time');
      renderTable();
      break;
    case 'details':
      if (details?.id === message.id) {
        details = { id: message.id, details: message.details };
        showDetails();
      }
      break;
    case 'compare':
      comparison = message.graph ? { label: message.label, graph: message.graph } : undefined;
      renderComparisonPane();
      break;
  }
});

/** Whether `id` is `ancestor` or inside it. */
function withinOrSame(id: string, ancestor: string): boolean {
  if (!graph) return false;
  const parentOf = (x: string) => graph!.nodes.find((n) => n.id === x)?.parent ?? graph!.groups.find((g) => g.id === x)?.parent;
  for (let p: string | undefined = id; p; p = parentOf(p)) if (p === ancestor) return true;
  return false;
}

post({ type: 'ready' });
