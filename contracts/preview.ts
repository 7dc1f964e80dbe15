// Every message between the extension host and the preview webview, both ways, and the state the
// webview persists (VS Code hands it to the panel serializer after a restart). Whatever comes from
// the webview is untrusted: the host accepts it only through the parse functions below.

import type { Graph } from '../language/core/graph';
import type { GraphResult } from './graph';
import { hasOnlyKeys, isRecord, isText, maxTextLength, parseErrorReport } from './message-checks';

export type Direction = 'LR' | 'TB';

/** Groups are folded unless overridden; `overrides[id] === false` unfolds one. */
export interface FoldState {
  defaultFolded: boolean;
  overrides: Record<string, boolean>;
}

export const previewViewType = 'resnetStudio.preview';

export type ExportFormat = 'svg' | 'png';

/** What the nodes are coloured by. */
export type Metric = 'none' | 'params' | 'macs' | 'time';

/** Statistics of one weight tensor, read from the network's weights file. */
export interface WeightStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  /** NaN and infinite values, left out of the other figures. */
  nonFinite: number;
}

export interface WeightEntry {
  key: string;
  shape: number[];
  kind: 'parameter' | 'buffer';
  stats?: WeightStats;
}

/** The details panel's data for one layer that only the host can give: its weights, and their statistics when a weights file is declared. */
export interface LayerDetails {
  weights: WeightEntry[];
  /** The weights file the statistics come from (relative to the workspace). */
  file?: string;
  /** Why there are no statistics (no weights declared, file unreadable, Restricted Mode). */
  note?: string;
}

export type HostMessage =
  /** New analysis of the previewed document. */
  | { type: 'update'; fileName: string; result: GraphResult }
  /** The editor's cursor moved, as an offset into the document (null: the cursor is in another document). */
  | { type: 'cursor'; offset: number | null }
  /** The user ran an export command: the webview answers with `exported`. */
  | { type: 'export'; format: ExportFormat }
  /** Measured time per layer of the last inference of `network`, by layer name. */
  | { type: 'layerTimes'; network: string; times: { name: string; ms: number }[] }
  /** The answer to a `details` request. */
  | { type: 'details'; id: string; details: LayerDetails }
  /** The network to compare the shown one with (undefined: the comparison is closed), and where it comes from. */
  | { type: 'compare'; label: string; graph?: Graph };

export type WebviewMessage =
  | { type: 'ready' }
  /** Reveal the source of a node or group of the graph last sent. */
  | { type: 'reveal'; id: string }
  /** Reveal one of the problems of the result last sent, by index. */
  | { type: 'revealProblem'; index: number }
  | { type: 'selectNetwork'; name: string }
  /** SVG markup, or a PNG as base64. */
  | { type: 'exported'; format: ExportFormat; data: string }
  /** The weights of a layer of the graph last sent, by id. */
  | { type: 'details'; id: string }
  /** Pick a network (of any .resnet file in the workspace) to compare the shown one with. */
  | { type: 'pickCompare' }
  | { type: 'error'; message: string };

export interface ViewTransform {
  x: number;
  y: number;
  scale: number;
}

export interface PreviewState {
  /** The previewed document. */
  uri: string;
  network?: string;
  direction: Direction;
  fold: FoldState;
  view?: ViewTransform;
  showTable: boolean;
  metric?: Metric;
  /** The folding of other files and networks shown before, by `uri#network`, to restore on return. */
  folds?: Record<string, FoldState>;
}

/** How many files' folding the state keeps. */
export const keptFolds = 32;

/** Largest export accepted from the webview (a PNG of ResNet-152 stays far below). */
export const maxExportLength = 64 * 1024 * 1024;
function isFormat(value: unknown): value is ExportFormat {
  return value === 'svg' || value === 'png';
}

/** The message if it is exactly one of `WebviewMessage`, else undefined. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'ready':
      return hasOnlyKeys(value, ['type']) ? { type: 'ready' } : undefined;
    case 'reveal':
      return hasOnlyKeys(value, ['type', 'id']) && isText(value.id) && value.id !== '' ? { type: 'reveal', id: value.id } : undefined;
    case 'revealProblem':
      return hasOnlyKeys(value, ['type', 'index']) && Number.isInteger(value.index) && (value.index as number) >= 0 ? { type: 'revealProblem', index: value.index as number } : undefined;
    case 'selectNetwork':
      return hasOnlyKeys(value, ['type', 'name']) && isText(value.name) ? { type: 'selectNetwork', name: value.name } : undefined;
    case 'details':
      return hasOnlyKeys(value, ['type', 'id']) && isText(value.id) && value.id !== '' ? { type: 'details', id: value.id } : undefined;
    case 'pickCompare':
      return hasOnlyKeys(value, ['type']) ? { type: 'pickCompare' } : undefined;
    case 'exported':
      return hasOnlyKeys(value, ['type', 'format', 'data']) && isFormat(value.format) && isText(value.data, maxExportLength) && value.data.length > 0
        ? { type: 'exported', format: value.format, data: value.data }
        : undefined;
    case 'error':
      return parseErrorReport(value);
    default:
      return undefined;
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function parseFold(value: unknown): FoldState | undefined {
  if (!isRecord(value) || typeof value.defaultFolded !== 'boolean' || !isRecord(value.overrides)) return undefined;
  const overrides: Record<string, boolean> = {};
  for (const [id, folded] of Object.entries(value.overrides)) {
    if (typeof folded !== 'boolean' || id.length > maxTextLength) return undefined;
    overrides[id] = folded;
  }
  return { defaultFolded: value.defaultFolded, overrides };
}

function parseView(value: unknown): ViewTransform | undefined {
  if (!isRecord(value) || !isFiniteNumber(value.x) || !isFiniteNumber(value.y) || !isFiniteNumber(value.scale) || value.scale <= 0) return undefined;
  return { x: value.x, y: value.y, scale: value.scale };
}

/** The persisted state if it is well formed, else undefined (the serializer then closes the panel). */
export function parsePreviewState(value: unknown): PreviewState | undefined {
  if (!isRecord(value) || !isText(value.uri) || value.uri === '') return undefined;
  const fold = parseFold(value.fold);
  if (!fold || (value.direction !== 'LR' && value.direction !== 'TB') || typeof value.showTable !== 'boolean') return undefined;
  if (value.network !== undefined && !isText(value.network)) return undefined;
  const view = value.view === undefined ? undefined : parseView(value.view);
  if (value.view !== undefined && !view) return undefined;
  const metric = value.metric;
  if (metric !== undefined && metric !== 'none' && metric !== 'params' && metric !== 'macs' && metric !== 'time') return undefined;
  let folds: Record<string, FoldState> | undefined;
  if (value.folds !== undefined) {
    if (!isRecord(value.folds) || Object.keys(value.folds).length > keptFolds) return undefined;
    folds = {};
    for (const [key, entry] of Object.entries(value.folds)) {
      const parsed = parseFold(entry);
      if (!parsed || key.length > maxTextLength) return undefined;
      folds[key] = parsed;
    }
  }
  return { uri: value.uri, network: value.network, direction: value.direction, fold, view, showTable: value.showTable, ...(metric ? { metric } : {}), ...(folds ? { folds } : {}) };
}
