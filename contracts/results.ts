// Messages between the results panel (extension/results-panel.ts) and its webview (main.ts), declared
// once for both sides, in the preview's pattern (contracts/preview.ts): everything the webview sends is
// untrusted and reaches the host only through parseResultsRequest.
import type { EvaluationResult, InferenceResult } from './inference-result';
import { hasOnlyKeys, isRecord, isRunId, parseErrorReport } from './message-checks';
import type { CamMaps, CamMethod } from '../engine/runtime/cam';

/** Pixels for a canvas: uint8, HWC, base64. */
export interface PixelsView {
  width: number;
  height: number;
  channels: number;
  base64: string;
}

/** Class maps of an image, as heat maps (jet, RGB) at the size of the image the network saw. */
export interface ClassMapsView {
  method: CamMethod;
  /** The map's own resolution (the feature map's, or the occlusion grid's). */
  height: number;
  width: number;
  /** For a clip: the frame shown, of the frames taken (see CamMaps). */
  clip?: CamMaps['clip'];
  classes: { index: number; name: string; heat: PixelsView }[];
}

export interface ImageRunView {
  kind: 'image';
  id: string;
  startedAt: string;
  /** The run as `resnet-studio infer --json` gives it, for its one image; "Copy JSON" copies it. */
  result: InferenceResult;
  /** The image file, as a webview resource URI; absent for a clip (a folder of frames, an animation, a video). */
  imageSrc?: string;
  /** What the network saw (for a clip: its middle frame): uint8 pixels, HWC, base64. */
  seen?: PixelsView;
  /** Where the network looked, for each of the top classes. */
  maps?: ClassMapsView;
  /** Why there are no maps (a head other than pooling+linear, with occlusion maps turned off). */
  mapsNote?: string;
  /** The image's class as its file name or folder says it (the labelled-folder rules). */
  trueClass?: { index: number; name: string; from: string };
  /** From the command's start until the result went to the view. */
  totalMs: number;
  /** Set while the layers are being timed. */
  profiling?: boolean;
  /** The profiled run's own time, once result.results[0].profile holds its layers. */
  profileRunMs?: number;
}

/** What a failed run offers: each a button in its card and in the error message. */
export type FailureAction = 'chooseWeights' | 'randomWeights' | 'chooseEp' | 'showLog' | 'showProblems';

/** A run that could not start or failed: the message, the details (e.g. how to make weights) and the actions. */
export interface FailureView {
  kind: 'failure';
  id: string;
  startedAt: string;
  title: string;
  message: string;
  details?: string;
  actions: { action: FailureAction; label: string }[];
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
  /** The folder holds clips (a 3-D network): the view counts clips, not images. */
  clips?: true;
  /** Once done: the evaluation as `resnet-studio eval --json` gives it; "Copy JSON" copies it. */
  result?: EvaluationResult;
  /** The images of result.mistakes as webview resource URIs, in the same order; '' for a clip that is no picture (a folder of frames, a video). */
  mistakeSrcs?: string[];
  /** The class map of each mistake's (wrong) answer over what the network saw (a clip's middle frame), in the same order. */
  mistakeMaps?: (PixelsView | undefined)[];
  error?: string;
}

export type RunView = ImageRunView | EvalRunView | FailureView;

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
  /** Time each layer of an image run. */
  | { type: 'profile'; id: string }
  /** Open an image of a run in the editor: the run's own (index -1) or a mistake's. */
  | { type: 'openImage'; id: string; index: number }
  | { type: 'action'; id: string; action: FailureAction }
  | { type: 'runAgain' }
  | { type: 'clear' }
  /** An uncaught error in the webview, for the log. */
  | { type: 'error'; message: string };

/** An engine message in the editor's words: what a CLI flag chooses is the execution-provider picker's choice here. */
export function guiText(text: string): string {
  return text
    .replace(/--ep (\w+) forces it/g, 'choosing $1 in the execution-provider picker forces it')
    .replace(/\(see --ep cuda\)/g, '(see the CUDA provider)');
}

const FAILURE_ACTIONS: readonly FailureAction[] = ['chooseWeights', 'randomWeights', 'chooseEp', 'showLog', 'showProblems'];

/** The request if it is exactly one of `WebviewRequest` (no extra keys), else undefined. */
export function parseResultsRequest(message: unknown): WebviewRequest | undefined {
  if (!isRecord(message)) return undefined;
  const { type, id } = message;
  switch (type) {
    case 'ready':
    case 'runAgain':
    case 'clear':
      return hasOnlyKeys(message, ['type']) ? { type } : undefined;
    case 'rendered':
    case 'copyJson':
    case 'exportCsv':
    case 'cancel':
    case 'profile':
      return hasOnlyKeys(message, ['type', 'id']) && isRunId(id) ? { type, id } : undefined;
    case 'openImage': {
      const index = message.index;
      const valid = hasOnlyKeys(message, ['type', 'id', 'index']) && isRunId(id) && Number.isSafeInteger(index) && (index as number) >= -1;
      return valid ? { type, id, index: index as number } : undefined;
    }
    case 'action': {
      const action = message.action;
      const valid = hasOnlyKeys(message, ['type', 'id', 'action']) && isRunId(id) && FAILURE_ACTIONS.includes(action as FailureAction);
      return valid ? { type, id, action: action as FailureAction } : undefined;
    }
    case 'error':
      return parseErrorReport(message);
    default:
      return undefined;
  }
}
