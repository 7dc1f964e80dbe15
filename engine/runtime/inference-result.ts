// The worker's answers as contracts/inference-result.ts: the one place where what
// `resnet-studio infer|eval --json` print and what the results view shows is made.
import { mapRows } from './cam';
import { softmax, topK } from './classes';
import { confidentMistakes, evaluate, type BatchedRun } from './dataset';
import { preprocessText } from '../../language/core/preprocess-presets';
import { networkPreprocess } from './network-preprocess';
import type { EvaluationInput, RunnableModel } from './runnable-model';
import { DENSE_CONFUSION_CLASSES, nonZeroCells, type ClassScore, type ClipReport, type EvaluationResult, type ImageResult, type InferenceResult, type RunReport } from '../../contracts/inference-result';
import type { InferResult, InputResult } from '../../contracts/worker';

/** How results name image files: the CLI as given, VS Code workspace-relative. */
export type ImageName = (path: string) => string;

const asGiven: ImageName = (path) => path;

/** Wrong answers an evaluation lists. */
export const MISTAKES_LISTED = 12;

export function topScores(logits: ArrayLike<number>, labels: readonly string[] | undefined, k: number): ClassScore[] {
  const probabilities = softmax(logits);
  return topK(probabilities, k).map((index) => ({ index, label: labels?.[index] ?? null, probability: probabilities[index]! }));
}

function runReport(model: RunnableModel, result: InferResult): RunReport {
  const { random, summary } = result.weights;
  // Zero-based {line, character} ranges, as `check --json` writes them.
  const problems = result.weights.problems.map(({ range, ...problem }) => (range ? { ...problem, range: model.lines.range(range) } : problem));
  return {
    network: model.network.name,
    model: model.name,
    weights: { source: model.weightsSource, random, summary, problems },
    precision: result.precision,
    exported: model.weights.kind === 'model',
    ep: result.ep,
    session: result.session,
  };
}

function clipReport(model: RunnableModel, output: InputResult): ClipReport | undefined {
  const input = model.network.input;
  return output.clip && input ? { ...output.clip, input: [...input], preprocess: preprocessText(networkPreprocess(model.network)) } : undefined;
}

function imageResult(output: InputResult, model: RunnableModel, top: number, name: ImageName): ImageResult {
  const clip = clipReport(model, output);
  return {
    image: name(output.label),
    ...(output.original ? { original: output.original } : {}),
    ...(clip ? { clip } : {}),
    ...(output.logits ? { top: topScores(output.logits, model.labels, top), logits: Array.from(output.logits) } : { error: output.error ?? 'failed' }),
    timings: output.timings,
    ...(output.cam?.maps[0] ? { cam: mapRows(output.cam.maps[0].values, output.cam.height, output.cam.width), camMethod: output.cam.method } : {}),
    ...(output.cam?.clip ? { camFrame: output.cam.clip.frame } : {}),
    ...(output.profile ? { profile: output.profile.layers, profileOtherMs: output.profile.otherMs } : {}),
  };
}

/** `infer --json`: each image's top `top` classes, its logits and timings. */
export function inferenceResult(model: RunnableModel, result: InferResult, options: { top: number; imageName?: ImageName }): InferenceResult {
  const name = options.imageName ?? asGiven;
  return { ...runReport(model, result), results: result.results.map((output) => imageResult(output, model, options.top, name)) };
}

const rate = (count: number, seconds: number) => (seconds > 0 ? count / seconds : 0);

/** `eval --json`: accuracy, per class, the confusion matrix, the surest mistakes, throughput. */
export function evaluationResult(
  model: RunnableModel,
  input: EvaluationInput,
  run: BatchedRun,
  options: { folder: string; imageName?: ImageName },
): EvaluationResult {
  const name = options.imageName ?? asGiven;
  const { samples } = input.dataset;
  const report = evaluate(samples, run.outputs, input.classes, input.className, run.seconds);
  return {
    ...runReport(model, run.first),
    folder: options.folder,
    layout: input.dataset.layout,
    accuracy: report.total ? report.correct / report.total : null,
    top5: report.total ? report.correctTop5 / report.total : null,
    total: report.total,
    correct: report.correct,
    perClass: report.perClass,
    confusion: input.classes <= DENSE_CONFUSION_CLASSES ? report.confusion : nonZeroCells(report.confusion),
    mistakes: confidentMistakes(samples, run.outputs, MISTAKES_LISTED).map((m) => ({ ...m, image: name(m.image) })),
    failed: report.failed.map((f) => ({ ...f, image: name(f.image) })),
    seconds: report.seconds,
    imagesPerSecond: rate(report.total, report.seconds),
    runImagesPerSecond: rate(report.total, report.runSeconds),
  };
}
