// Every message between the extension host and the preview webview, both ways, and the state the
// webview persists (VS Code hands it to the panel serializer after a restart). Whatever comes from
// the webview is untrusted: the host accepts it only through the parse functions below.

import type { GraphResult } from './graph';

export type Direction = 'LR' | 'TB';

/** Groups are folded unless overridden; `overrides[id] === false` unfolds one. */
export interface FoldState {
  defaultFolded: boolean;
  overrides: Record<string, boolean>;
}

export const previewViewType = 'resnetStudio.preview';

export type ExportFormat = 'svg' | 'png';

export type HostMessage =
  /** New analysis of the previewed document. */
  | { type: 'update'; fileName: string; result: GraphResult }
  /** The editor's cursor moved, as an offset into the document (null: the cursor is in another document). */
  | { type: 'cursor'; offset: number | null }
  /** The user ran an export command: the webview answers with `exported`. */
  | { type: 'export'; format: ExportFormat }
  /** Measured time per layer of a network (an inference's profile), for colouring nodes by time. */
  | { type: 'layerTimes'; network: string; times: { name: string; ms: number }[] };

export type WebviewMessage =
  | { type: 'ready' }
  /** Reveal the source of a node or group of the graph last sent. */
  | { type: 'reveal'; id: string }
  /** Reveal one of the problems of the result last sent, by index. */
  | { type: 'revealProblem'; index: number }
  | { type: 'selectNetwork'; name: string }
  /** SVG markup, or a PNG as base64. */
  | { type: 'exported'; format: ExportFormat; data: string }
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
}

/** Largest export accepted from the webview (a PNG of ResNet-152 stays far below). */
export const maxExportLength = 64 * 1024 * 1024;
const maxTextLength = 4096;

type Json = Record<string, unknown>;

/** A plain object (not an array, Map, Date or typed array, and not one whose fields are inherited). */
function isRecord(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function isText(value: unknown, max = maxTextLength): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isFormat(value: unknown): value is ExportFormat {
  return value === 'svg' || value === 'png';
}

function hasOnlyKeys(value: Json, keys: string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
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
    case 'exported':
      return hasOnlyKeys(value, ['type', 'format', 'data']) && isFormat(value.format) && isText(value.data, maxExportLength) && value.data.length > 0
        ? { type: 'exported', format: value.format, data: value.data }
        : undefined;
    case 'error':
      return hasOnlyKeys(value, ['type', 'message']) && isText(value.message) ? { type: 'error', message: value.message } : undefined;
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
  return { uri: value.uri, network: value.network, direction: value.direction, fold, view, showTable: value.showTable };
}
