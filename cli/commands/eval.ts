// `resnet-studio eval FILE FOLDER [--weights W | --random-weights] [--ep …] [--json]`: accuracy,
// per-class accuracy, confusion matrix and images/s over a labelled folder. Two layouts:
// torchvision's ImageFolder (one subfolder per class, classes in sorted order) or flat files named
// `<anything>_<k>.<ext>` whose suffix k is the class index (engine/runtime/dataset.ts).
import { labelOf } from '../../engine/runtime/classes';
import { InferenceClient } from '../../engine/runtime/client';
import { evaluate, listDataset, reportFigures, runInBatches, sparseConfusion, type EvalReport } from '../../engine/runtime/dataset';
import { formatEpReport } from '../../engine/runtime/providers';
import type { CliIo } from '../io';
import { loadLabels, loadNetwork, parseEngineArgs, randomWeightsWarning, runInference, sessionLine } from './infer';

const percent = (part: number, whole: number) => (whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(2)}%`);

/** A full matrix up to this many classes; beyond it, the most frequent confusions. */
const MATRIX_CLASSES = 20;

function confusionLines(report: EvalReport, shown: EvalReport['perClass']): string[] {
  if (shown.length <= MATRIX_CLASSES) {
    const cell = Math.max(4, ...report.confusion.flat().map((v) => String(v).length + 1));
    return [
      'confusion matrix (rows: true class, columns: predicted class, by index):',
      `  ${''.padStart(4)}${shown.map((c) => String(c.index).padStart(cell)).join('')}`,
      ...shown.map((c) => `  ${String(c.index).padStart(4)}${shown.map((p) => String(report.confusion[c.index]![p.index]).padStart(cell)).join('')}`),
    ];
  }
  const pairs = sparseConfusion(report)
    .filter(([t, p]) => t !== p)
    .sort((a, b) => b[2] - a[2])
    .slice(0, MATRIX_CLASSES);
  return [
    `most frequent confusions (${shown.length} classes are too many for a matrix; --json has them all):`,
    ...pairs.map(([t, p, n]) => `  ${String(n).padStart(5)} × ${report.perClass[t]!.name} (${t}) taken for ${report.perClass[p]!.name} (${p})`),
  ];
}

function reportLines(report: EvalReport): string[] {
  const shown = report.perClass.filter((c) => c.images > 0 || report.confusion.some((row) => row[c.index]! > 0));
  const nameWidth = Math.max(5, ...shown.map((c) => c.name.length));
  return [
    `accuracy: ${percent(report.correct, report.total)} (${report.correct}/${report.total}), top-5: ${percent(report.correctTop5, report.total)}`,
    'per class (classes with images or predictions):',
    `  ${'class'.padEnd(nameWidth)}  images  correct  accuracy`,
    ...shown.map(
      (c) => `  ${c.name.padEnd(nameWidth)}  ${String(c.images).padStart(6)}  ${String(c.correct).padStart(7)}  ${percent(c.correct, c.images).padStart(8)}`,
    ),
    ...confusionLines(report, shown),
    `throughput: ${(report.total / report.seconds).toFixed(1)} images/s end to end (decode, preprocess, run; ${report.total} images in ${report.seconds.toFixed(2)} s), ` +
      `${(report.total / report.runSeconds).toFixed(1)} images/s model run only`,
    ...report.failed.map((f) => `error: ${f.image}: ${f.error}`),
  ];
}

const USAGE = 'usage: resnet-studio eval FILE FOLDER [--weights W | --random-weights [--seed N]] [--ep auto|cuda|tensorrt|dml|coreml|webgpu|cpu] [--json] [--network NAME]\n';
const FLAGS = new Set(['--weights', '--random-weights', '--seed', '--ep', '--json', '--network']);

export async function run(args: string[], io: CliIo, client = new InferenceClient()): Promise<number> {
  const options = parseEngineArgs(args, FLAGS);
  if (typeof options === 'string') {
    io.stderr(`${options}\n${USAGE}`);
    return 2;
  }
  const [file, folder, ...extra] = options.positional;
  if (!file || !folder || extra.length > 0) {
    io.stderr(USAGE);
    return 2;
  }
  const loaded = await loadNetwork(file, options, io);
  if (!loaded) return 1;
  const classes = loaded.network.outputShape?.[1];
  if (classes === undefined || loaded.network.outputShape?.length !== 2) {
    io.stderr(`${file}: network ${loaded.network.name} does not end in class scores [1, classes]; eval needs a classifier\n`);
    return 1;
  }
  const dataset = await listDataset(folder, classes);
  if (typeof dataset === 'string') {
    io.stderr(`${dataset}\n`);
    return 1;
  }
  const labels = await loadLabels(loaded, io);
  const names = (i: number) => dataset.classNames?.[i] ?? labelOf(labels, i);

  try {
    const run = await runInBatches(dataset.samples, (batch) => runInference(client, loaded, options.ep, batch, io));
    if (!run) return 1;
    const { outputs, first, seconds } = run;
    const report = evaluate(dataset.samples, outputs, classes, names, seconds);
    const ep = first.ep;
    if (options.json) {
      const json = {
        network: loaded.network.name,
        layout: dataset.layout,
        weights: { source: loaded.weightsLabel, random: first.weights.random, summary: first.weights.summary },
        ep,
        session: first.session,
        ...reportFigures(report),
        // Dense up to 100 classes; sparse [true, predicted, count] triples beyond.
        confusion: classes <= 100 ? report.confusion : sparseConfusion(report),
      };
      io.stdout(JSON.stringify(json, null, 2) + '\n');
    } else {
      const warning = randomWeightsWarning(first);
      const lines = [
        ...(warning ? [warning] : []),
        `network ${loaded.network.name}; weights ${first.weights.summary}`,
        `dataset ${folder}: ${dataset.samples.length} images, ${dataset.layout === 'image-folder' ? `${dataset.classNames!.length} class folders` : 'class index from the file-name suffix'}`,
        ...formatEpReport(ep),
        sessionLine(first),
        ...reportLines(report),
        ...(warning ? [warning] : []),
      ];
      io.stdout(lines.join('\n') + '\n');
    }
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    await client.dispose();
  }
}
