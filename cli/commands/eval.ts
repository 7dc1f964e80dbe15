// `resnet-studio eval FILE FOLDER`: accuracy, per-class accuracy, confusion matrix and images/s over a
// labelled folder, laid out as engine/runtime/dataset.ts reads it, --batch images per model run, with
// a progress line on a terminal.
import { InferenceClient } from '../../engine/runtime/client';
import { runInBatches, type Dataset } from '../../engine/runtime/dataset';
import { evaluationResult } from '../../engine/runtime/inference-result';
import { formatEpReport } from '../../engine/runtime/providers';
import { compareRuns } from '../../engine/runtime/comparison';
import { loadEvaluation, type RunnableModel } from '../../engine/runtime/runnable-model';
import { confusionCells, countText, hasTop5, resultJson, type Comparison, type EvaluationResult, type SampleUnit } from '../../contracts/inference-result';
import { parseCommand, usageError, type CommandSpec } from '../args';
import { engineOptionSpecs, engineOptions } from '../engine-options';
import type { CliIo } from '../io';
import { loadNetwork, printWarnings, randomWeightsWarning, runInference, runLine, sessionLine } from './infer';

const percent = (fraction: number | null) => (fraction === null ? 'n/a' : `${(100 * fraction).toFixed(2)}%`);

/** A full matrix up to this many classes; beyond, the most frequent confusions. */
const MATRIX_CLASSES = 20;

function confusionLines(result: EvaluationResult, shown: EvaluationResult['perClass'], cells: [number, number, number][]): string[] {
  if (shown.length <= MATRIX_CLASSES) {
    const count = new Map(cells.map(([t, p, n]) => [`${t} ${p}`, n]));
    const cell = Math.max(4, ...cells.map(([, , n]) => String(n).length + 1));
    return [
      'confusion matrix (rows: true class, columns: predicted class, by index):',
      `  ${''.padStart(4)}${shown.map((c) => String(c.index).padStart(cell)).join('')}`,
      ...shown.map((c) => `  ${String(c.index).padStart(4)}${shown.map((p) => String(count.get(`${c.index} ${p.index}`) ?? 0).padStart(cell)).join('')}`),
    ];
  }
  const pairs = cells
    .filter(([t, p]) => t !== p)
    .sort((a, b) => b[2] - a[2])
    .slice(0, MATRIX_CLASSES);
  return [
    `most frequent confusions (${shown.length} classes are too many for a matrix; --json has them all):`,
    ...pairs.map(([t, p, n]) => `  ${String(n).padStart(5)} × ${result.perClass[t]!.name} (${t}) taken for ${result.perClass[p]!.name} (${p})`),
  ];
}

/** `unit`: what the folder holds, images or clips. */
function resultLines(result: EvaluationResult, unit: SampleUnit): string[] {
  const cells = confusionCells(result);
  const predicted = new Set(cells.map(([, p]) => p));
  const shown = result.perClass.filter((c) => c.images > 0 || predicted.has(c.index));
  const nameWidth = Math.max(5, ...shown.map((c) => c.name.length));
  return [
    `accuracy: ${percent(result.accuracy)} (${result.correct}/${result.total})${hasTop5(result) ? `, top-5: ${percent(result.top5)}` : ''}`,
    `per class (classes with ${unit} or predictions):`,
    `  ${'class'.padEnd(nameWidth)}  ${unit.padStart(6)}  correct  accuracy`,
    ...shown.map(
      (c) =>
        `  ${c.name.padEnd(nameWidth)}  ${String(c.images).padStart(6)}  ${String(c.correct).padStart(7)}  ${percent(c.images ? c.correct / c.images : null).padStart(8)}`,
    ),
    ...confusionLines(result, shown, cells),
    `throughput: ${result.imagesPerSecond.toFixed(1)} ${unit}/s end to end (decode, preprocess, run; ${countText(result.total, unit)} in ${result.seconds.toFixed(2)} s), ` +
      `${result.runImagesPerSecond.toFixed(1)} ${unit}/s model run only`,
    ...result.failed.map((f) => `error: ${f.error.startsWith(f.image) ? f.error : `${f.image}: ${f.error}`}`),
  ];
}

const points = (delta: number | null) => (delta === null ? 'n/a' : `${delta >= 0 ? '+' : ''}${(100 * delta).toFixed(2)} points`);
const milliseconds = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(2)} ms`);

function comparisonLines(c: Comparison): string[] {
  return [
    `against the network compiled in ${c.reference.precision} (${c.reference.weights}) on the same images:`,
    `  ${c.reference.precision} accuracy ${percent(c.reference.accuracy)}; accuracy delta ${points(c.accuracyDelta)}; top-1 agreement ${percent(c.agreement)}`,
    `  model run ${milliseconds(c.runMsPerImage)} per image vs ${milliseconds(c.reference.runMsPerImage)}: latency ratio ${c.latencyRatio === null ? 'n/a' : `${c.latencyRatio.toFixed(2)}×`}`,
  ];
}

function datasetLayout(dataset: Dataset): string {
  const folders = dataset.classFolders;
  if (!folders) return 'class index from the file-name suffix';
  return `${folders.names.length} class folders ${folders.rule === 'named' ? 'named by label or class index' : 'in sorted order, one per class'}`;
}

export const spec = {
  name: 'eval',
  args: ['FILE', 'FOLDER'],
  summary: 'accuracy, per-class accuracy, confusion matrix, images/s on a labelled folder',
  options: {
    ...engineOptionSpecs('weights', 'random-weights', 'seed', 'network', 'model', 'ep', 'batch', 'json'),
    compare: { type: 'boolean', help: 'with --model: also run the network compiled in fp32 (its weights, or --weights) and report top-1 agreement, accuracy delta and latency ratio' },
  },
} satisfies CommandSpec;

export async function run(args: string[], io: CliIo, client = new InferenceClient()): Promise<number> {
  const parsed = parseCommand(spec, args, io);
  if (typeof parsed === 'number') return parsed;
  // With --compare, --weights are the fp32 reference's: the exported model runs its own.
  const compareWeights = parsed.options.compare && parsed.options.model !== undefined ? parsed.options.weights : undefined;
  const options = engineOptions(compareWeights === undefined ? parsed.options : { ...parsed.options, weights: undefined });
  if (typeof options === 'string') return usageError(spec, options, io);
  const [file, folder] = parsed.args as [string, string];
  if (parsed.options.compare && !options.model) return usageError(spec, '--compare compares an exported model (--model M.onnx) with the network compiled in fp32', io);
  // The worker starts while the network is read and the folder listed.
  client.start();
  try {
    const model = await loadNetwork(file, options, io);
    if (!model) return 1;
    const reference = parsed.options.compare ? await loadNetwork(file, { ...options, model: undefined, weights: compareWeights }, io) : undefined;
    if (parsed.options.compare && !reference) return 1;
    const input = await loadEvaluation(model, folder);
    if (typeof input === 'string') {
      io.stderr(`${input}\n`);
      return 1;
    }
    printWarnings(model, io);
    const samples = input.dataset.samples;
    const total = samples.length;
    const unit: SampleUnit = input.dataset.kind === 'clip' ? 'clips' : 'images';
    const inBatches = (what: RunnableModel, label: string) =>
      runInBatches(
        samples,
        (paths, onResults) => runInference(client, what, { ep: options.ep, batch: options.batch }, paths, io, onResults),
        (done, seconds) => io.status?.(`${label}${done}/${total} ${unit}${seconds > 0 ? `, ${(done / seconds).toFixed(1)} ${unit}/s` : ''}`),
      );
    const referenceRun = reference && (await inBatches(reference, 'fp32 reference: '));
    if (reference && !referenceRun) return 1;
    const run = await inBatches(model, '');
    io.status?.('');
    if (!run) return 1;
    const comparison = referenceRun ? compareRuns(samples.map((s) => s.target), run, referenceRun, reference!.weightsSource) : undefined;
    const result = { ...evaluationResult(model, input, run, { folder }), ...(comparison ? { comparison } : {}) };
    if (options.json) {
      io.stdout(resultJson(result));
    } else {
      const { dataset } = input;
      const warning = randomWeightsWarning(result);
      const lines = [
        ...(warning ? [warning] : []),
        runLine(result),
        `dataset ${folder}: ${countText(dataset.samples.length, unit)}, ${datasetLayout(dataset)}`,
        ...formatEpReport(result.ep),
        sessionLine(result),
        ...resultLines(result, unit),
        ...(result.comparison ? comparisonLines(result.comparison) : []),
        ...(warning ? [warning] : []),
      ];
      io.stdout(lines.join('\n') + '\n');
    }
    return result.failed.length > 0 ? 1 : 0;
  } finally {
    await client.dispose();
  }
}
