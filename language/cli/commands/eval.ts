// `resnet-studio eval FILE FOLDER [--weights W | --random-weights] [--ep …] [--json]`: accuracy,
// per-class accuracy, confusion matrix and images/s over a labelled folder. Two layouts:
// torchvision's ImageFolder (one subfolder per class, classes in sorted order) or flat files named
// `<anything>_<k>.<ext>` whose suffix k is the class index.
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InferenceClient } from '../../runtime/client';
import type { InferResult } from '../../runtime/protocol';
import { formatEpReport } from '../../runtime/providers';
import type { CliIo } from '../io';
import { labelOf, loadLabels, loadNetwork, parseEngineArgs, randomWeightsWarning, runInference, sessionLine, topK } from './infer';

/** torchvision.datasets.folder.IMG_EXTENSIONS. */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp']);
const isImage = (name: string) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
/** Python's sorted() on str: by code point. */
const byCodePoint = (a: string, b: string) => {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};
const BATCH = 64;

export interface Sample {
  path: string;
  target: number;
}

export interface Dataset {
  layout: 'image-folder' | 'suffix';
  samples: Sample[];
  /** Class names for the image-folder layout (the folder names). */
  classNames?: string[];
}

async function walkImages(folder: string): Promise<string[]> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await walkImages(path)));
    else if (isImage(entry.name)) found.push(path);
  }
  return found;
}

/** The labelled images of a folder, or a message saying why it is not a dataset. */
export async function listDataset(folder: string, classes: number): Promise<Dataset | string> {
  let entries;
  try {
    if (!(await stat(folder)).isDirectory()) return `${folder} is not a folder`;
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    return `cannot read ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  const classDirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(byCodePoint);
  if (classDirs.length > 0) {
    if (classDirs.length > classes) {
      return `${folder} has ${classDirs.length} class folders but the network has ${classes} outputs`;
    }
    const samples: Sample[] = [];
    for (const [target, name] of classDirs.entries()) {
      for (const path of await walkImages(join(folder, name))) samples.push({ path, target });
    }
    if (samples.length === 0) return `${folder}: the class folders hold no images (${[...IMAGE_EXTENSIONS].join(', ')})`;
    return { layout: 'image-folder', samples, classNames: classDirs };
  }
  const images = entries.filter((e) => e.isFile() && isImage(e.name)).map((e) => e.name).sort(byCodePoint);
  if (images.length === 0) return `${folder} holds no images and no class folders`;
  const samples: Sample[] = [];
  const unlabelled: string[] = [];
  for (const name of images) {
    const match = /_(\d+)\.[^.]+$/.exec(name);
    const target = match ? Number(match[1]) : NaN;
    if (!match || target >= classes) unlabelled.push(name);
    else samples.push({ path: join(folder, name), target });
  }
  if (unlabelled.length > 0) {
    const shown = unlabelled.slice(0, 3).join(', ') + (unlabelled.length > 3 ? `, … (${unlabelled.length} in all)` : '');
    return `${folder}: ${shown}: a flat folder needs file names ending in _<class index>.<ext> with an index below ${classes}, or use one subfolder per class`;
  }
  return { layout: 'suffix', samples };
}

export interface EvalReport {
  total: number;
  correct: number;
  correctTop5: number;
  perClass: { index: number; name: string; images: number; correct: number }[];
  confusion: number[][];
  failed: { image: string; error: string }[];
  seconds: number;
  runSeconds: number;
}

export function evaluate(samples: Sample[], outputs: InferResult['results'], classes: number, names: (i: number) => string, seconds: number): EvalReport {
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

/** [true class, predicted class, count] for every non-zero cell. */
export function sparseConfusion(report: EvalReport): [number, number, number][] {
  return report.confusion.flatMap((row, t) => row.flatMap((n, p) => (n > 0 ? [[t, p, n] as [number, number, number]] : [])));
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
    const outputs: InferResult['results'] = [];
    let first: InferResult | undefined;
    let seconds = 0;
    for (let start = 0; start < dataset.samples.length; start += BATCH) {
      const batch = dataset.samples.slice(start, start + BATCH).map((s) => s.path);
      const began = performance.now();
      const result = await runInference(client, loaded, options.ep, batch, io);
      if (!result) return 1;
      const s = result.session;
      seconds += (performance.now() - began - (s.weightsMs + s.compileMs + s.sessionMs)) / 1000;
      first ??= result;
      outputs.push(...result.results);
    }
    const report = evaluate(dataset.samples, outputs, classes, names, seconds);
    const ep = first!.ep;
    if (options.json) {
      const json = {
        network: loaded.network.name,
        layout: dataset.layout,
        weights: { source: loaded.weightsLabel, random: first!.weights.random, summary: first!.weights.summary },
        ep,
        session: first!.session,
        accuracy: report.total ? report.correct / report.total : null,
        top5: report.total ? report.correctTop5 / report.total : null,
        total: report.total,
        correct: report.correct,
        perClass: report.perClass,
        // Dense up to 100 classes; sparse [true, predicted, count] triples beyond.
        confusion: classes <= 100 ? report.confusion : sparseConfusion(report),
        failed: report.failed,
        seconds: report.seconds,
        imagesPerSecond: report.total / report.seconds,
        runImagesPerSecond: report.total / report.runSeconds,
      };
      io.stdout(JSON.stringify(json, null, 2) + '\n');
    } else {
      const warning = randomWeightsWarning(first!);
      const lines = [
        ...(warning ? [warning] : []),
        `network ${loaded.network.name}; weights ${first!.weights.summary}`,
        `dataset ${folder}: ${dataset.samples.length} images, ${dataset.layout === 'image-folder' ? `${dataset.classNames!.length} class folders` : 'class index from the file-name suffix'}`,
        ...formatEpReport(ep),
        sessionLine(first!),
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
