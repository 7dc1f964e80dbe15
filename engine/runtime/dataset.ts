// Labelled image folders and what a classifier made of them: listing, the batched run, accuracy,
// per-class accuracy, the confusion matrix and the surest mistakes. Shared by `resnet-studio eval`
// and the extension's folder evaluation (through inference-result.ts), so both give the same
// figures. Two layouts: one sub-folder per class (named by its label or index, or torchvision's
// ImageFolder order: class-folders.ts), or flat files named `<anything>_<k>.<ext>` whose suffix k is
// the class index. For a 3-D network the samples are clips: in a class folder each sub-folder (of
// frames), animated GIF or WebP and video is one clip; a flat folder holds clip files with the suffix.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { classFolders, type ClassFolders } from './class-folders';
import { softmax, topK } from './classes';
import { CLIP_FILE_EXTENSIONS, hasClipExtension, hasImageExtension, IMAGE_EXTENSIONS } from './image-formats';
import type { ClassAccuracy, Mistake } from '../../contracts/inference-result';
import type { InferResult, InputResult, SessionTimings } from '../../contracts/worker';

/** Python's sorted() on str: by code point. */
const byCodePoint = (a: string, b: string) => {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

/** Images per model run of a folder evaluation unless chosen (`eval --batch`). */
export const EVAL_BATCH = 32;
/** More images per run only hold more memory (a ResNet-50 batch of 1,024 is 600 MB of input). */
export const MAX_BATCH = 1024;

export interface Sample {
  path: string;
  target: number;
}

/** What one sample is: an image, or a clip for a C×T×H×W network (clip.ts reads it). */
export type SampleKind = 'image' | 'clip';

export interface Dataset {
  layout: 'image-folder' | 'suffix';
  kind: SampleKind;
  samples: Sample[];
  /** The image-folder layout's sub-folders and their classes. */
  classFolders?: ClassFolders;
}

/** The images under `folder` at any depth, in code-point order. */
export async function walkImages(folder: string): Promise<string[]> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await walkImages(path)));
    else if (hasImageExtension(entry.name)) found.push(path);
  }
  return found;
}

const CLIP_FILES = `folders of frames, or ${CLIP_FILE_EXTENSIONS.join(', ')} files`;

/** The clips of a class folder, in code-point order: its sub-folders (of frames) and clip files; or why it holds stray frames. */
async function listClips(folder: string): Promise<string[] | string> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
  const stills = entries.filter((e) => e.isFile() && hasImageExtension(e.name) && !hasClipExtension(e.name)).map((e) => e.name);
  if (stills.length > 0) {
    const shown = stills.slice(0, 3).join(', ') + (stills.length > 3 ? `, … (${stills.length} in all)` : '');
    return `${folder}: ${shown}: a class folder of clips holds one clip per entry (${CLIP_FILES}), not single frames; put each clip's frames in a folder of their own`;
  }
  return entries.filter((e) => e.isDirectory() || (e.isFile() && hasClipExtension(e.name))).map((e) => join(folder, e.name));
}

/**
 * The labelled images (or clips) of a folder for a network of `classes` outputs, or a message saying
 * why it is not a dataset. Without `classes` (training a new head) the classes are the data's own: the
 * sorted sub-folders (torchvision's ImageFolder), or any index of the flat files.
 */
export async function listDataset(folder: string, classes?: number, labels?: readonly string[], kind: SampleKind = 'image'): Promise<Dataset | string> {
  let entries;
  try {
    if (!(await stat(folder)).isDirectory()) return `${folder} is not a folder`;
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    return `cannot read ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  const classDirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(byCodePoint);
  if (classDirs.length > 0) {
    const folders = classes === undefined ? { names: classDirs, targets: classDirs.map((_, i) => i), rule: 'sorted' as const } : classFolders(folder, classDirs, classes, labels);
    if (typeof folders === 'string') return folders;
    const samples: Sample[] = [];
    for (const [i, name] of folders.names.entries()) {
      const paths = kind === 'clip' ? await listClips(join(folder, name)) : await walkImages(join(folder, name));
      if (typeof paths === 'string') return paths;
      for (const path of paths) samples.push({ path, target: folders.targets[i]! });
    }
    if (samples.length === 0) return `${folder}: the class folders hold no ${kind === 'clip' ? `clips (${CLIP_FILES})` : `images (${IMAGE_EXTENSIONS.join(', ')})`}`;
    return { layout: 'image-folder', kind, samples, classFolders: folders };
  }
  const isSample = kind === 'clip' ? hasClipExtension : hasImageExtension;
  const images = entries.filter((e) => e.isFile() && isSample(e.name)).map((e) => e.name).sort(byCodePoint);
  if (images.length === 0) return `${folder} holds no ${kind === 'clip' ? `clip files (${CLIP_FILE_EXTENSIONS.join(', ')})` : 'images'} and no class folders`;
  const samples: Sample[] = [];
  const unlabelled: string[] = [];
  for (const name of images) {
    const target = suffixClass(name);
    if (target === undefined || target >= (classes ?? Infinity)) unlabelled.push(name);
    else samples.push({ path: join(folder, name), target });
  }
  if (unlabelled.length > 0) {
    const shown = unlabelled.slice(0, 3).join(', ') + (unlabelled.length > 3 ? `, … (${unlabelled.length} in all)` : '');
    const below = classes === undefined ? '' : ` with an index below ${classes}`;
    return `${folder}: ${shown}: a flat folder needs file names ending in _<class index>.<ext>${below}, or use one subfolder per class`;
  }
  return { layout: 'suffix', kind, samples };
}

export interface BatchedRun {
  outputs: InputResult[];
  /** The run's result: its EP report, weights summary and session timings. */
  first: InferResult;
  /** Wall time of the batches without session creation (weights, compile, session). */
  seconds: number;
}

/** Receives each batch's results as soon as the worker has run it, with the session's timings. */
export type OnResults = (results: InputResult[], session: SessionTimings) => void;

/**
 * Runs all samples through `infer` in one request, whose worker runs them a batch at a time and
 * reports each batch's results through `onResults`, in order. `infer` returns undefined when the run
 * failed (it reports why); then so does this. `onBatch` sees the progress after each batch.
 */
export async function runInBatches(
  samples: readonly Sample[],
  infer: (paths: string[], onResults: OnResults) => Promise<InferResult | undefined>,
  onBatch?: (done: number, seconds: number) => void,
): Promise<BatchedRun | undefined> {
  const began = performance.now();
  const sinceSession = (s: SessionTimings) => Math.max(0, performance.now() - began - (s.weightsMs + s.compileMs + s.sessionMs)) / 1000;
  let done = 0;
  const result = await infer(
    samples.map((s) => s.path),
    (results, session) => {
      done += results.length;
      onBatch?.(done, sinceSession(session));
    },
  );
  if (!result) return undefined;
  return { outputs: result.results, first: result, seconds: sinceSession(result.session) };
}

export interface EvalReport {
  total: number;
  correct: number;
  correctTop5: number;
  perClass: ClassAccuracy[];
  confusion: number[][];
  failed: { image: string; error: string }[];
  seconds: number;
  runSeconds: number;
}

/** The class index a flat folder's file name ends with (`<anything>_<k>.<ext>`), if any. */
export function suffixClass(name: string): number | undefined {
  const match = /_(\d+)\.[^.]+$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function evaluate(samples: readonly Sample[], outputs: readonly InputResult[], classes: number, names: (i: number) => string, seconds: number): EvalReport {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const report: EvalReport = { total: 0, correct: 0, correctTop5: 0, perClass: [], confusion, failed: [], seconds, runSeconds: 0 };
  outputs.forEach((output, i) => {
    const target = samples[i]!.target;
    if (!output.logits) {
      report.failed.push({ image: output.label, error: output.error ?? 'failed' });
      return;
    }
    const ranked = topK(Array.from(output.logits), 5);
    report.total++;
    report.runSeconds += output.timings.runMs / 1000;
    if (ranked[0] === target) report.correct++;
    if (ranked.includes(target)) report.correctTop5++;
    confusion[target]![ranked[0]!]!++;
  });
  report.perClass = confusion.map((row, index) => ({ index, name: names(index), images: row.reduce((a, b) => a + b, 0), correct: row[index]! }));
  return report;
}

/** The wrong answers the network was surest of, surest first. */
export function confidentMistakes(samples: readonly Sample[], outputs: readonly InputResult[], count: number): Mistake[] {
  const mistakes: Mistake[] = [];
  outputs.forEach((output, i) => {
    if (!output.logits) return;
    const probabilities = softmax(output.logits);
    const [predicted] = topK(probabilities, 1);
    const target = samples[i]!.target;
    if (predicted !== undefined && predicted !== target) {
      mistakes.push({ image: samples[i]!.path, target, predicted, confidence: probabilities[predicted]! });
    }
  });
  return mistakes.sort((a, b) => b.confidence - a.confidence || a.image.localeCompare(b.image)).slice(0, count);
}
