// What a run gave, in one format: `resnet-studio infer --json` and `eval --json` print it, the results
// view renders it and "Copy JSON" copies it. engine/runtime/inference-result.ts builds it from the
// worker's answer; docs/inference.md documents it.
import type { Range } from '../language/core/positions';
import type { WeightProblem } from '../engine/onnx/state-dict';
import type { EpReport } from '../engine/runtime/providers';
import type { ClipInfo, InputTimings, Precision, SessionTimings } from './worker';
import type { CamMethod } from '../engine/runtime/cam';
import type { LayerTime } from '../engine/runtime/profile';

/** An exported model against the network compiled in fp32, on the same folder (`eval --model M.onnx --compare`). */
export interface Comparison {
  /** The compiled network's run: its precision, weights file, accuracy and mean model-run time per image. */
  reference: { precision: Precision; weights: string; accuracy: number | null; runMsPerImage: number | null };
  runMsPerImage: number | null;
  /** The fraction of images (read by both) whose top-1 class is the same. */
  agreement: number | null;
  /** accuracy − the reference's, as a fraction. */
  accuracyDelta: number | null;
  /** Mean model-run time per image over the reference's. */
  latencyRatio: number | null;
}

export interface ClassScore {
  index: number;
  /** The class name from the network's labels file; null without one. */
  label: string | null;
  probability: number;
}

export interface WeightsReport {
  /** The weights file's absolute path, or "random weights (seed N)". */
  source: string;
  random: boolean;
  summary: string;
  /** As the engine reports them, with the owning statement as a zero-based range. */
  problems: (Omit<WeightProblem, 'range'> & { range?: Range })[];
}

/** What every run reports: the model, its weights, the execution provider that ran, the session. */
export interface RunReport {
  network: string;
  /** The .resnet file, as the caller names it (the CLI: as typed; VS Code: workspace-relative). */
  model: string;
  weights: WeightsReport;
  /** fp32 for the compiled network; an exported model's own (fp32, fp16 or int8). */
  precision: Precision;
  /** True when an exported ONNX model ran (`--model`, its path in weights.source) instead of the network compiled from the file. */
  exported: boolean;
  ep: EpReport;
  session: SessionTimings;
}

/** A clip's run (a C×T×H×W network): how the clip was read and what the network got. */
export interface ClipReport extends ClipInfo {
  /** The network's input, [C, T, H, W]. */
  input: number[];
  /** What each frame went through, in words: "kinetics: resize to 128×171 …". */
  preprocess: string;
}

/** One image (or clip): its top classes and logits, or why it could not be read (the others still run). */
export interface ImageResult {
  /** The image file, named as `model` is. */
  image: string;
  /** The file's own size, before any resize or crop (a clip's: its first frame's). */
  original?: { width: number; height: number };
  /** For a clip: its frames, those taken, the input and the preprocessing. */
  clip?: ClipReport;
  top?: ClassScore[];
  logits?: number[];
  error?: string;
  timings: InputTimings;
  /** With `--cam`: the top-1 class's map at feature-map resolution (occlusion: its grid), as rows. */
  cam?: number[][];
  /** How `cam` was made: the class activation map of a pooling+linear head, or occlusion sensitivity. */
  camMethod?: CamMethod;
  /** For a clip: the frame (zero-based, of the T taken) that `cam` is the map of and that `--cam` draws it over. */
  camFrame?: number;
  /** With `--profile`: time per layer of a measured run, in network order. */
  profile?: LayerTime[];
  /** With `--profile`: time in nodes of no layer (onnxruntime's layout conversions). */
  profileOtherMs?: number;
}

export interface InferenceResult extends RunReport {
  results: ImageResult[];
}

export interface ClassAccuracy {
  index: number;
  name: string;
  images: number;
  correct: number;
}

/** A wrong answer the network was sure of. */
export interface Mistake {
  image: string;
  target: number;
  predicted: number;
  /** The probability the network gave its (wrong) answer. */
  confidence: number;
}

export interface EvaluationResult extends RunReport {
  folder: string;
  /** One subfolder per class (torchvision's ImageFolder), or the class index as a file-name suffix. */
  layout: 'image-folder' | 'suffix';
  /** Null when no image could be read. */
  accuracy: number | null;
  top5: number | null;
  total: number;
  correct: number;
  perClass: ClassAccuracy[];
  /** [true][predicted] counts up to DENSE_CONFUSION_CLASSES classes; beyond, the non-zero cells as [true, predicted, count]. */
  confusion: number[][];
  /** The surest wrong answers, surest first. */
  mistakes: Mistake[];
  failed: { image: string; error: string }[];
  /** Wall time of the runs after the session was ready: decode, preprocess, run. */
  seconds: number;
  imagesPerSecond: number;
  /** Images per second of the model runs alone. */
  runImagesPerSecond: number;
  /** With `--compare`: this (exported) model against the network compiled in fp32. */
  comparison?: Comparison;
}

/** Up to this many classes an evaluation's confusion matrix is dense. */
export const DENSE_CONFUSION_CLASSES = 100;

/** A dense matrix's non-zero cells as [true, predicted, count]. */
export function nonZeroCells(matrix: readonly (readonly number[])[]): [number, number, number][] {
  return matrix.flatMap((row, t) => row.flatMap((n, p) => (n > 0 ? [[t, p, n] as [number, number, number]] : [])));
}

/** An evaluation's confusion as [true, predicted, count] cells, whichever form it has. */
export function confusionCells(result: Pick<EvaluationResult, 'confusion' | 'perClass'>): [number, number, number][] {
  return result.perClass.length <= DENSE_CONFUSION_CLASSES ? nonZeroCells(result.confusion) : (result.confusion as [number, number, number][]);
}

/** What an evaluation counts: the images of a folder, or its clips for a network of clips. */
export type SampleUnit = 'images' | 'clips';

/** `n` of them in words: "1 image", "4 clips". */
export function countText(n: number, unit: SampleUnit): string {
  return `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
}

/** Whether top-5 accuracy says anything: with five classes or fewer every answer is in the top five. */
export function hasTop5(result: Pick<EvaluationResult, 'perClass'>): boolean {
  return result.perClass.length > 5;
}

/** A result as the CLI prints it and "Copy JSON" copies it. */
export function resultJson(result: InferenceResult | EvaluationResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

const CLIP_SOURCES: Record<ClipInfo['source'], string> = { folder: 'folder', animation: 'animation', video: 'video (ffmpeg)' };

/** A clip's frames in words, as the CLI prints them and the results view shows them. */
export function clipFramesText(clip: ClipReport): string {
  return `${CLIP_SOURCES[clip.source]} of ${clip.frames} frame${clip.frames === 1 ? '' : 's'}; ${clip.sampled.length} sampled evenly: ${clip.sampled.join(', ')} (zero-based)`;
}

/** Which frame of a clip a class map is drawn over, in words (for a CAM, also the frame it is the map of). */
export function clipMapText(method: CamMethod, frame: number, frames: number): string {
  const shown = `the middle frame (${frame} of the ${frames} taken, zero-based)`;
  return method === 'cam' ? `of ${shown}` : `over ${shown}, each patch hidden in every frame`;
}

/** How a class is named to a person: its label, else its index. */
export function className(label: string | null | undefined, index: number): string {
  return label ?? `class ${index}`;
}

/**
 * Time per stage, each fused node counted once, in network order: a stage is the first part of a dotted
 * name (layer1, layer2, …); the single layers before the first stage are the stem, those after the last the head.
 */
export function stageTimes(layers: readonly Pick<LayerTime, 'name' | 'ms' | 'fusedInto'>[]): { name: string; ms: number }[] {
  const stages = new Map<string, number>();
  let seenStage = false;
  for (const layer of layers) {
    const dotted = layer.name.includes('.');
    seenStage ||= dotted;
    const stage = dotted ? layer.name.split('.')[0]! : seenStage ? 'head' : 'stem';
    stages.set(stage, (stages.get(stage) ?? 0) + (layer.fusedInto ? 0 : layer.ms));
  }
  return [...stages].map(([name, ms]) => ({ name, ms }));
}
