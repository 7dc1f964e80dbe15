// Messages between the training panel (extension/training-panel.ts) and its webview
// (webview/training/main.ts), declared once for both sides: everything the webview sends is untrusted
// and reaches the host only through parseTrainingRequest.
import { hasOnlyKeys, isRecord, isRunId, isText, parseErrorReport } from './message-checks';

/** The form's fields by the CLI's option names (`resnet-studio train FILE DATA --epochs …`), as typed. */
export const FORM_TEXT_FIELDS = ['data', 'val', 'val-split', 'epochs', 'batch', 'lr', 'optimizer', 'schedule', 'augment', 'from', 'freeze', 'out', 'device', 'seed', 'nproc'] as const;
export type FormTextField = (typeof FORM_TEXT_FIELDS)[number];
/** Text fields left empty take the default; `amp` is the one switch. */
export type FormValues = Partial<Record<FormTextField, string>> & { amp?: boolean };
/** Fields with a Browse… button, and what they pick. */
export const BROWSE_FIELDS = { data: 'folder', val: 'folder', from: 'open', out: 'save' } as const;
export type BrowseField = keyof typeof BROWSE_FIELDS;

/** What the form is for and what its fields default to. */
export interface FormView {
  file: string;
  network: string;
  /** Prefilled values: the last ones used for this network, else the defaults. */
  values: FormValues;
  /** Placeholders of the fields left empty: what the run takes then. */
  placeholders: Partial<Record<FormTextField, string>>;
  choices: { optimizer: string[]; schedule: string[]; augment: string[]; device: string[]; freeze: string[] };
}

export interface StepPoint {
  /** Epochs done, fractional: epoch 2 step 5 of 10 is 1.5. */
  x: number;
  loss: number;
  accuracy: number;
}

export interface EpochView {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
  imagesPerSecond: number;
  best: boolean;
}

export interface TrainingRunView {
  id: string;
  network: string;
  file: string;
  startedAt: string;
  state: 'starting' | 'running' | 'stopping' | 'stopped' | 'done' | 'failed';
  /** `resnet-studio train …`: the same run from a terminal. */
  command: string;
  /** "python: PATH (…)", what the plan said (no validation, where the weights come from), the start lines. */
  notes: string[];
  device?: string;
  epochs: number;
  stepsPerEpoch?: number;
  /** The latest step. */
  progress?: { epoch: number; step: number; steps: number; imagesPerSecond: number; etaSeconds: number; lr: number };
  /** Per step, thinned to a few hundred points on long runs. */
  steps: StepPoint[];
  epochRecords: EpochView[];
  /** The best weights, the last checkpoint and the log. */
  out: string;
  last?: string;
  log?: string;
  /** Set when the data's classes gave the network a new head. */
  head?: { layer: string; from: number; to: number };
  /** Once "Use these weights" wrote the file's weights line: the path written there. */
  weightsUsed?: string;
  error?: string;
}

export type TrainingHostMessage =
  | { type: 'form'; form: FormView }
  /** Which Python would train, or why none can (with the install command). */
  | { type: 'python'; text: string; ok: boolean }
  | { type: 'browsed'; field: BrowseField; path: string }
  /** The form's values cannot start a run: why. */
  | { type: 'invalid'; message: string }
  | { type: 'runs'; runs: TrainingRunView[] }
  | { type: 'run'; run: TrainingRunView };

export type TrainingRequest =
  | { type: 'ready' }
  | { type: 'start'; values: FormValues }
  | { type: 'browse'; field: BrowseField }
  | { type: 'stop'; id: string }
  | { type: 'useWeights'; id: string }
  | { type: 'openLog'; id: string }
  | { type: 'showOutput' }
  /** An uncaught error in the webview, for the log. */
  | { type: 'error'; message: string };

function formValues(value: unknown): FormValues | undefined {
  if (!isRecord(value) || !hasOnlyKeys(value, [...FORM_TEXT_FIELDS, 'amp'])) return undefined;
  const values: FormValues = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'amp') {
      if (typeof v !== 'boolean') return undefined;
      values.amp = v;
    } else {
      if (!isText(v)) return undefined;
      values[key as FormTextField] = v;
    }
  }
  return values;
}

/** The request if it is exactly one of `TrainingRequest` (no extra keys), else undefined. */
export function parseTrainingRequest(message: unknown): TrainingRequest | undefined {
  if (!isRecord(message)) return undefined;
  const { type, id } = message;
  switch (type) {
    case 'ready':
    case 'showOutput':
      return hasOnlyKeys(message, ['type']) ? { type } : undefined;
    case 'stop':
    case 'useWeights':
    case 'openLog':
      return hasOnlyKeys(message, ['type', 'id']) && isRunId(id) ? { type, id } : undefined;
    case 'start': {
      const values = hasOnlyKeys(message, ['type', 'values']) ? formValues(message.values) : undefined;
      return values && { type, values };
    }
    case 'browse': {
      const field = message.field;
      return hasOnlyKeys(message, ['type', 'field']) && typeof field === 'string' && Object.hasOwn(BROWSE_FIELDS, field) ? { type, field: field as BrowseField } : undefined;
    }
    case 'error':
      return parseErrorReport(message);
    default:
      return undefined;
  }
}
