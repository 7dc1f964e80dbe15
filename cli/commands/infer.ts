// `resnet-studio infer FILE IMAGE... [--weights W | --random-weights] [--ep auto|…] [--top 5] [--json]`:
// top-k labels with probabilities per image, the EP that ran (and the failed attempts), timings.
// Also the options and helpers that `export` and `eval` share.
import { dirname, resolve } from 'node:path';
import { DEFAULT_SEED } from '../../engine/onnx/random-weights';
import { InferenceClient, InferenceError } from '../../engine/runtime/client';
import { inferenceResult } from '../../engine/runtime/inference-result';
import { EP_CHOICES, formatEpReport, isEpChoice, type EpChoice } from '../../engine/runtime/providers';
import { inferRequest, isModelProblem, loadModel, type RunnableModel } from '../../engine/runtime/runnable-model';
import { className, resultJson, type ImageResult, type RunReport } from '../../contracts/inference-result';
import type { InferResult, WeightsRequest } from '../../contracts/worker';
import { where } from '../where';
import type { CliIo } from '../io';
import { readSource } from '../io';

export interface EngineOptions {
  positional: string[];
  weights?: string;
  randomWeights: boolean;
  seed: number;
  ep: EpChoice;
  top: number;
  json: boolean;
  network?: string;
  output?: string;
}

/** Parses the flags shared by export, infer and eval; returns an error message for bad ones. */
export function parseEngineArgs(args: string[], allowed: ReadonlySet<string>): EngineOptions | string {
  const options: EngineOptions = { positional: [], randomWeights: false, seed: DEFAULT_SEED, ep: 'auto', top: 5, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!flag.startsWith('-') || flag === '-') {
      options.positional.push(arg);
      continue;
    }
    if (!allowed.has(flag)) return `unknown option ${flag}`;
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--random-weights':
        options.randomWeights = true;
        break;
      case '--json':
        options.json = true;
        break;
      case '--weights':
      case '--network':
      case '-o':
      case '--output': {
        const v = value();
        if (!v) return `${flag} needs a value`;
        if (flag === '--weights') options.weights = v;
        else if (flag === '--network') options.network = v;
        else options.output = v;
        break;
      }
      case '--seed':
      case '--top': {
        const v = value();
        const n = Number(v);
        if (!v || !Number.isInteger(n) || n < (flag === '--top' ? 1 : 0)) return `${flag} needs a ${flag === '--top' ? 'positive' : 'non-negative'} integer, not ${v ?? 'nothing'}`;
        if (flag === '--top') options.top = n;
        else options.seed = n;
        break;
      }
      case '--ep': {
        const v = value();
        if (!v || !isEpChoice(v)) return `--ep must be one of ${EP_CHOICES.join(', ')}, not ${v ?? 'nothing'}`;
        options.ep = v;
        break;
      }
      default:
        return `unknown option ${flag}`;
    }
  }
  if (options.weights && options.randomWeights) return '--weights and --random-weights exclude each other';
  return options;
}

/** Reads FILE and loads its network, weights and labels; prints why it cannot and returns undefined. */
export async function loadNetwork(file: string, options: EngineOptions, io: CliIo): Promise<RunnableModel | undefined> {
  const text = await readSource(file, io);
  if (text === undefined) return undefined;
  const weights: WeightsRequest | undefined = options.randomWeights
    ? { kind: 'random', seed: options.seed }
    : options.weights
      ? { kind: 'file', path: resolve(options.weights) }
      : undefined;
  const model = await loadModel({ text, name: file, folder: dirname(resolve(file)) }, { network: options.network, weights });
  if (!isModelProblem(model)) return model;
  if (model.kind === 'errors') {
    for (const d of model.errors) io.stderr(`${where(file, model.lines, d.span)}: error ${d.code} ${d.message}\n`);
  }
  const remedy =
    model.kind === 'errors'
      ? ` (resnet-studio check ${file})`
      : model.kind === 'network' && model.networks.length > 1
        ? '; choose one with --network NAME'
        : model.kind === 'no-weights'
          ? ': add `weights "model.safetensors"` to it, pass --weights FILE, or pass --random-weights for a seeded He initialisation (meaningless outputs)'
          : '';
  io.stderr(`${file}: ${model.message}${remedy}\n`);
  return undefined;
}

export function printWarnings(model: RunnableModel, io: CliIo): void {
  for (const warning of model.warnings) io.stderr(`warning: ${model.name}: ${warning}\n`);
}

/** Runs the worker, printing an InferenceError in words; returns undefined on failure. */
export async function runInference(client: InferenceClient, model: RunnableModel, ep: EpChoice, images: string[], io: CliIo): Promise<InferResult | undefined> {
  try {
    return await client.infer(inferRequest(model, images, { ep }));
  } catch (error) {
    if (!(error instanceof InferenceError)) throw error;
    if (error.kind === 'weights' && error.weights) {
      io.stderr(`${model.weightsSource}: ${error.weights.summary}\n${error.weights.details}\n`);
    } else {
      io.stderr(`${error.kind === 'crash' ? '' : `${error.kind} error: `}${error.message}\n`);
    }
    return undefined;
  }
}

export function randomWeightsWarning(result: RunReport): string | undefined {
  return result.weights.random ? `WARNING: ${result.weights.summary}` : undefined;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export function sessionLine(result: RunReport): string {
  const s = result.session;
  return s.cached
    ? 'session: cached'
    : `session: weights ${ms(s.weightsMs)}, compile ${ms(s.compileMs)}, session creation ${ms(s.sessionMs)}`;
}

function imageLines(image: ImageResult): string[] {
  if (!image.top) return [image.image, `  error: ${image.error}`];
  const t = image.timings;
  return [
    image.image,
    ...image.top.map(
      (score, rank) =>
        `  ${String(rank + 1).padStart(2)}. ${(score.probability * 100).toFixed(2).padStart(6)}%  ${className(score.label, score.index)}${score.label === null ? '' : ` (${score.index})`}`,
    ),
    `  decode ${ms(t.decodeMs)}, preprocess ${ms(t.preprocessMs)}, run ${ms(t.runMs)}`,
  ];
}

const USAGE = 'usage: resnet-studio infer FILE IMAGE... [--weights W | --random-weights [--seed N]] [--ep auto|cuda|tensorrt|dml|coreml|webgpu|cpu] [--top 5] [--json] [--network NAME]\n';
const FLAGS = new Set(['--weights', '--random-weights', '--seed', '--ep', '--top', '--json', '--network']);

export async function run(args: string[], io: CliIo, client = new InferenceClient()): Promise<number> {
  const options = parseEngineArgs(args, FLAGS);
  if (typeof options === 'string') {
    io.stderr(`${options}\n${USAGE}`);
    return 2;
  }
  const [file, ...images] = options.positional;
  if (!file || images.length === 0) {
    io.stderr(USAGE);
    return 2;
  }
  const model = await loadNetwork(file, options, io);
  if (!model) return 1;
  printWarnings(model, io);
  try {
    const run = await runInference(client, model, options.ep, images, io);
    if (!run) return 1;
    const result = inferenceResult(model, run, { top: options.top });
    if (options.json) {
      io.stdout(resultJson(result));
    } else {
      const warning = randomWeightsWarning(result);
      const lines = [
        ...(warning ? [warning] : []),
        `network ${result.network}; weights ${result.weights.summary}`,
        ...formatEpReport(result.ep),
        sessionLine(result),
        ...result.results.flatMap(imageLines),
        ...(warning ? [warning] : []),
      ];
      io.stdout(lines.join('\n') + '\n');
    }
    return result.results.some((r) => r.error !== undefined) ? 1 : 0;
  } finally {
    await client.dispose();
  }
}
