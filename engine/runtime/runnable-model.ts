// From a `.resnet` source to what the worker runs, for the CLI and the extension alike: the analysed
// network, where its weights come from, its class names, the labelled folder an evaluation runs on,
// and the worker's request. Paths the file declares are relative to the file. The caller supplies the
// text (a file's, or an editor's unsaved buffer) and says how a network is chosen among several.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { analyze } from '../../language/core/analysis';
import type { LineMap } from '../../language/core/positions';
import type { Diagnostic, Network } from '../../language/core/model';
import { fileProblem } from '../onnx/file-errors';
import { listDataset, type Dataset } from './dataset';
import { readLabelsFile } from './labels-file';
import { className } from '../../contracts/inference-result';
import type { InferRequest, WeightsRequest } from '../../contracts/worker';

export interface ModelSource {
  /** The .resnet text. */
  text: string;
  /** How messages and results name the file: as typed (CLI), workspace-relative (VS Code). */
  name: string;
  /** The file's folder, which its `weights` and `labels` paths are relative to; undefined while it is unsaved. */
  folder: string | undefined;
}

export interface ModelChoice {
  /** The network to run; without it, the only one, or the one `choose` returns. */
  network?: string;
  /** Weights instead of the declared file: an absolute path, or random ones. */
  weights?: WeightsRequest;
  /** Picks one of several networks; undefined when the user picked none. Without it, several is a problem. */
  choose?: (networks: Network[]) => Promise<Network | undefined>;
}

export interface RunnableModel {
  /** ModelSource.name. */
  name: string;
  /** The source's lines, to turn the network's offsets into lines and columns for people. */
  lines: LineMap;
  network: Network;
  weights: WeightsRequest;
  /** The weights file's (or exported model's) absolute path, or "random weights (seed N)". */
  weightsSource: string;
  labels?: string[];
  /** Why there are no labels, or why they do not fit; the run goes on naming classes by index. */
  warnings: string[];
}

/** Why a model cannot run, in words that follow the file's name. 'no-weights' and 'weights' name the network, whose weights may be chosen anew. */
export type ModelProblem =
  | { kind: 'errors'; message: string; errors: Diagnostic[]; lines: LineMap }
  | { kind: 'network'; message: string; networks: string[] }
  | { kind: 'no-weights' | 'weights'; message: string; network: Network }
  | { kind: 'model'; message: string };

export function isModelProblem(value: RunnableModel | ModelProblem): value is ModelProblem {
  return 'kind' in value;
}

/** A path the file declares, made absolute; undefined when it is relative and the file has no folder yet. */
function declaredPath(source: ModelSource, path: string): string | undefined {
  if (isAbsolute(path)) return path;
  return source.folder === undefined ? undefined : resolve(source.folder, path);
}

/** Why the file at `path` cannot be read, or undefined when it can (the worker then reads it). */
export async function unreadable(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'it is a directory';
    if (!info.isFile()) return 'it is not a regular file';
    await access(path, constants.R_OK);
    return undefined;
  } catch (error) {
    return fileProblem(error);
  }
}

async function resolveWeights(source: ModelSource, network: Network, chosen: WeightsRequest | undefined): Promise<WeightsRequest | ModelProblem> {
  if (chosen?.kind === 'random') return chosen;
  if (chosen?.kind === 'model') {
    const why = await unreadable(chosen.path);
    return why ? { kind: 'model', message: `cannot read the model file "${chosen.path}": ${why}` } : chosen;
  }
  const shown = chosen?.path ?? network.weights?.path;
  if (shown === undefined) return { kind: 'no-weights', network, message: `network ${network.name} has no weights` };
  const path = chosen?.path ?? declaredPath(source, shown);
  if (path === undefined) {
    return { kind: 'weights', network, message: `it is not saved, so the weights path "${shown}" of network ${network.name} has no folder to be relative to` };
  }
  const why = await unreadable(path);
  if (why) return { kind: 'weights', network, message: `cannot read the weights file "${shown}" of network ${network.name}: ${why}` };
  return { kind: 'file', path };
}

async function readLabels(source: ModelSource, network: Network): Promise<Pick<RunnableModel, 'labels' | 'warnings'>> {
  const declared = network.labels?.path;
  if (declared === undefined) return { warnings: [] };
  const path = declaredPath(source, declared);
  if (path === undefined) return { warnings: [`it is not saved, so the labels path "${declared}" has no folder to be relative to; classes are named by index`] };
  let labels: string[];
  try {
    labels = await readLabelsFile(path);
  } catch (error) {
    return { warnings: [`${(error as Error).message}; classes are named by index`] };
  }
  const classes = network.outputShape?.[1];
  const warnings = classes !== undefined && labels.length !== classes ? [`${path} has ${labels.length} labels but network ${network.name} has ${classes} outputs`] : [];
  return { labels, warnings };
}

/**
 * The analysis of the last text analysed, which another run of an unchanged file reuses: the analysis
 * (ResNet-50's takes milliseconds) is skipped, and its Network objects, which the inference client
 * sends to its worker only once each, are the same.
 */
let last: { text: string; analysis: ReturnType<typeof analyze> } | undefined;

function analyzeSource(text: string): ReturnType<typeof analyze> {
  if (last?.text !== text) last = { text, analysis: analyze(text) };
  return last.analysis;
}

/**
 * Analyses the source, picks the network and resolves its weights and labels. Undefined when `choose`
 * was asked and the user picked none.
 */
export async function loadModel(source: ModelSource, choice?: ModelChoice & { choose?: undefined }): Promise<RunnableModel | ModelProblem>;
export async function loadModel(source: ModelSource, choice: ModelChoice): Promise<RunnableModel | ModelProblem | undefined>;
export async function loadModel(source: ModelSource, choice: ModelChoice = {}): Promise<RunnableModel | ModelProblem | undefined> {
  const analysis = analyzeSource(source.text);
  const networks = analysis.networks;
  const names = networks.map((n) => n.name);
  let network: Network | undefined;
  if (choice.network !== undefined) {
    network = networks.find((n) => n.name === choice.network);
    if (!network) return { kind: 'network', networks: names, message: `no network named ${choice.network} (it defines ${names.join(', ') || 'none'})` };
  } else if (networks.length === 1) {
    network = networks[0]!;
  } else if (networks.length === 0) {
    return { kind: 'network', networks: names, message: 'defines no network' };
  } else if (choice.choose) {
    network = await choice.choose(networks);
    if (!network) return undefined;
  } else {
    return { kind: 'network', networks: names, message: `defines ${names.join(', ')}` };
  }

  const errors = errorsOf(network, analysis.diagnostics, networks);
  if (errors.length > 0) return { kind: 'errors', errors, lines: analysis.lines, message: `fix its ${errors.length} error(s) first` };

  const weights = await resolveWeights(source, network, choice.weights);
  if ('message' in weights) return weights;
  const weightsSource = weights.kind === 'random' ? `random weights (seed ${weights.seed})` : weights.path;
  return { name: source.name, lines: analysis.lines, network, weights, weightsSource, ...(await readLabels(source, network)) };
}

/**
 * The errors that keep `network` from running: those in it (a block's problem is reported at its call
 * site too), and those outside every network but the repeats on a block's own line of problems its
 * call sites have; another network's errors do not keep this one from running.
 */
function errorsOf(network: Network, diagnostics: readonly Diagnostic[], networks: readonly Network[]): Diagnostic[] {
  const inside = (d: Diagnostic, n: Network) => d.span.start >= n.range.start && d.span.end <= n.range.end;
  return diagnostics.filter(
    (d) => d.severity === 'error' && (inside(d, network) || (!networks.some((n) => inside(d, n)) && d.instances === undefined)),
  );
}

/** The worker request that runs `paths` through the model. */
export function inferRequest(
  model: RunnableModel,
  paths: readonly string[],
  settings: Pick<InferRequest, 'ep' | 'includeSeenImage' | 'threads' | 'sessionCacheSize' | 'batch' | 'cam' | 'profile'>,
): Omit<InferRequest, 'type' | 'id'> {
  return { network: model.network, weights: model.weights, inputs: paths.map((path) => ({ kind: 'image', path })), ...settings };
}

export interface EvaluationInput {
  dataset: Dataset;
  classes: number;
  /** A class's name: its label, else its folder's in the image-folder layout, else its index. */
  className: (index: number) => string;
}

/** The labelled images (clips, for a C×T×H×W network) of `folder` for a classifier (output [1, classes]), or why there are none. */
export async function loadEvaluation(model: RunnableModel, folder: string): Promise<EvaluationInput | string> {
  const shape = model.network.outputShape;
  const classes = shape?.length === 2 ? shape[1] : undefined;
  if (classes === undefined) return `network ${model.network.name} does not end in class scores [1, classes]; only a classifier can be evaluated on a labelled folder`;
  const dataset = await listDataset(folder, classes, model.labels, model.network.input?.length === 4 ? 'clip' : 'image');
  if (typeof dataset === 'string') return dataset;
  const folders = dataset.classFolders;
  const folderOf = (i: number) => folders?.names[folders.targets.indexOf(i)];
  return { dataset, classes, className: (i) => model.labels?.[i] ?? folderOf(i) ?? className(undefined, i) };
}
