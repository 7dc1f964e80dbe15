// Messages between the results panel (extension/results-panel.ts) and its webview (main.ts), declared
// once for both sides, in the preview's pattern (contracts/preview.ts): everything the webview sends is
// untrusted and reaches the host only through parseResultsRequest.
import type { EvaluationResult, InferenceResult } from './inference-result';

export interface ImageRunView {
  kind: 'image';
  id: string;
  startedAt: string;
  /** The run as `resnet-studio infer --json` gives it, for its one image; "Copy JSON" copies it. */
  result: InferenceResult;
  /** The image file, as a webview resource URI; absent for a clip (a folder of frames, an animation, a video). */
  imageSrc?: string;
  /** What the network saw (for a clip: its middle frame): uint8 pixels, HWC, base64. */
  seen?: { width: number; height: number; channels: number; base64: string };
  /** From the command's start until the result went to the view. */
  totalMs: number;
}

export interface EvalRunView {
  kind: 'eval';
  id: string;
  startedAt: string;
  network: string;
  model: string;
  folder: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  progress: { done: number; total: number; imagesPerSecond: number };
  /** Once done: the evaluation as `resnet-studio eval --json` gives it; "Copy JSON" copies it. */
  result?: EvaluationResult;
  /** The images of result.mistakes as webview resource URIs, in the same order. */
  mistakeSrcs?: string[];
  error?: string;
}

export type RunView = ImageRunView | EvalRunView;

export type HostMessage =
  | { type: 'runs'; runs: RunView[] }
  | { type: 'run'; run: RunView }
  | { type: 'progress'; id: string; done: number; total: number; imagesPerSecond: number };

export type WebviewRequest =
  | { type: 'ready' }
  | { type: 'rendered'; id: string }
  | { type: 'copyJson'; id: string }
  | { type: 'exportCsv'; id: string }
  | { type: 'cancel'; id: string }
  | { type: 'runAgain' }
  | { type: 'clear' }
  /** An uncaught error in the webview, for the log. */
  | { type: 'error'; message: string };

const ID = /^[a-z0-9-]{1,64}$/;
const MAX_ERROR_LENGTH = 4096;

function hasOnlyKeys(value: object, keys: string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
}

/** The request if it is exactly one of `WebviewRequest` (no extra keys), else undefined. */
export function parseResultsRequest(message: unknown): WebviewRequest | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  // A plain object only: fields inherited from a prototype are not the message's own.
  const prototype = Object.getPrototypeOf(message) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const { type, id } = message as { type?: unknown; id?: unknown };
  switch (type) {
    case 'ready':
    case 'runAgain':
    case 'clear':
      return hasOnlyKeys(message, ['type']) ? { type } : undefined;
    case 'rendered':
    case 'copyJson':
    case 'exportCsv':
    case 'cancel':
      return hasOnlyKeys(message, ['type', 'id']) && typeof id === 'string' && ID.test(id) ? { type, id } : undefined;
    case 'error': {
      const text = (message as { message?: unknown }).message;
      return hasOnlyKeys(message, ['type', 'message']) && typeof text === 'string' && text.length <= MAX_ERROR_LENGTH ? { type, message: text } : undefined;
    }
    default:
      return undefined;
  }
}
