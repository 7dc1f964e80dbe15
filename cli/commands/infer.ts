// `resnet-studio infer FILE IMAGE... [--weights W | --random-weights] [--ep auto|…] [--top 5] [--json]`:
// top-k labels with probabilities per image, the EP that ran (and the failed attempts), timings.
// Also the options and helpers that `export` and `eval` share.
import { dirname, resolve } from 'node:path';
import { analyze } from '../../language/core/analysis';
import type { Network } from '../../language/core/model';
import type { LineMap } from '../../language/core/positions';
import { DEFAULT_SEED } from '../../engine/onnx/random-weights';
import { labelOf, softmax, topK } from '../../engine/runtime/classes';
import { InferenceClient, InferenceError } from '../../engine/runtime/client';
import { readLabelsFile } from '../../engine/runtime/labels-file';
import type { InferResult, InputResult, WeightsRequest } from '../../contracts/worker';
import { EP_CHOICES, formatEpReport, isEpChoice, type EpChoice } from '../../engine/runtime/providers';
import type { CliIo } from '../io';
import { readSource } from '../io';
import { where } from '../where';

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

export interface LoadedNetwork {
  file: string;
  /** The file's lines, to point a message at one of the network's statements. */
  lines: LineMap;
  network: Network;
  weights: WeightsRequest;
  /** Where the weights came from, for messages. */
  weightsLabel: string;
}

/** Analyses FILE, picks the network, and resolves its weights (relative to the .resnet file). */
export async function loadNetwork(file: string, options: EngineOptions, io: CliIo): Promise<LoadedNetwork | undefined> {
  const text = await readSource(file, io);
  if (text === undefined) return undefined;
  const analysis = analyze(text);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    for (const d of errors) io.stderr(`${where(file, analysis.lines, d.span)}: error ${d.code} ${d.message}\n`);
    io.stderr(`${file}: fix the ${errors.length} error(s) above first (resnet-studio check ${file})\n`);
    return undefined;
  }
  const names = analysis.networks.map((n) => n.name);
  let network: Network | undefined;
  if (options.network) {
    network = analysis.networks.find((n) => n.name === options.network);
    if (!network) {
      io.stderr(`${file}: no network named ${options.network} (it defines ${names.join(', ') || 'none'})\n`);
      return undefined;
    }
  } else if (analysis.networks.length === 1) {
    network = analysis.networks[0]!;
  } else {
    io.stderr(`${file}: ${names.length === 0 ? 'defines no network' : `defines ${names.join(', ')}; choose one with --network NAME`}\n`);
    return undefined;
  }
  if (options.randomWeights) {
    return { file, lines: analysis.lines, network, weights: { kind: 'random', seed: options.seed }, weightsLabel: `random weights (seed ${options.seed})` };
  }
  const path = options.weights ? resolve(options.weights) : network.weights ? resolve(dirname(file), network.weights.path) : undefined;
  if (!path) {
    io.stderr(
      `${file}: network ${network.name} has no weights: add \`weights "model.safetensors"\` to it, ` +
        'pass --weights FILE, or pass --random-weights for a seeded He initialisation (meaningless outputs)\n',
    );
    return undefined;
  }
  return { file, lines: analysis.lines, network, weights: { kind: 'file', path }, weightsLabel: path };
}

/** Class names from the network's `labels` file (relative to the .resnet file), or undefined. */
export async function loadLabels(loaded: LoadedNetwork, io: CliIo): Promise<string[] | undefined> {
  const declared = loaded.network.labels;
  if (!declared) return undefined;
  const path = resolve(dirname(loaded.file), declared.path);
  let labels: string[];
  try {
    labels = await readLabelsFile(path);
  } catch (error) {
    io.stderr(`warning: ${(error as Error).message}; printing class indices\n`);
    return undefined;
  }
  const classes = loaded.network.outputShape?.[1];
  if (classes !== undefined && labels.length !== classes) {
    io.stderr(`warning: ${path} has ${labels.length} labels but network ${loaded.network.name} has ${classes} outputs\n`);
  }
  return labels;
}

/** Runs the worker, printing an InferenceError in words; returns undefined on failure. */
export async function runInference(
  client: InferenceClient,
  loaded: LoadedNetwork,
  ep: EpChoice,
  inputs: string[],
  io: CliIo,
): Promise<InferResult | undefined> {
  try {
    return await client.infer({ network: loaded.network, weights: loaded.weights, ep, inputs: inputs.map((path) => ({ kind: 'image', path })) });
  } catch (error) {
    if (!(error instanceof InferenceError)) throw error;
    if (error.kind === 'weights' && error.weights) {
      io.stderr(`${loaded.weightsLabel}: ${error.weights.summary}\n${error.weights.details}\n`);
    } else {
      io.stderr(`${error.kind === 'crash' ? '' : `${error.kind} error: `}${error.message}\n`);
    }
    return undefined;
  }
}

export function randomWeightsWarning(result: InferResult): string | undefined {
  return result.weights.random ? `WARNING: ${result.weights.summary}` : undefined;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export function sessionLine(result: InferResult): string {
  const s = result.session;
  return s.cached
    ? 'session: cached'
    : `session: weights ${ms(s.weightsMs)}, compile ${ms(s.compileMs)}, session creation ${ms(s.sessionMs)}`;
}

function imageLines(result: InputResult, labels: string[] | undefined, top: number): string[] {
  if (!result.logits) return [`${result.label}`, `  error: ${result.error}`];
  const probabilities = softmax(result.logits);
  const t = result.timings;
  return [
    result.label,
    ...topK(probabilities, top).map(
      (i, rank) => `  ${String(rank + 1).padStart(2)}. ${(probabilities[i]! * 100).toFixed(2).padStart(6)}%  ${labelOf(labels, i)}${labels ? ` (${i})` : ''}`,
    ),
    `  decode ${ms(t.decodeMs)}, preprocess ${ms(t.preprocessMs)}, run ${ms(t.runMs)}`,
  ];
}

function imageJson(result: InputResult, labels: string[] | undefined, top: number) {
  if (!result.logits) return { image: result.label, error: result.error };
  const probabilities = softmax(result.logits);
  return {
    image: result.label,
    top: topK(probabilities, top).map((index) => ({ index, label: labels?.[index] ?? null, probability: probabilities[index] })),
    logits: Array.from(result.logits),
    timings: result.timings,
  };
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
  const loaded = await loadNetwork(file, options, io);
  if (!loaded) return 1;
  const labels = await loadLabels(loaded, io);
  try {
    const result = await runInference(client, loaded, options.ep, images, io);
    if (!result) return 1;
    const failed = result.results.filter((r) => !r.logits).length;
    if (options.json) {
      // Zero-based {line, character} ranges, as check --json writes them.
      const problems = result.weights.problems.map((p) => ({ ...p, range: p.range && loaded.lines.range(p.range) }));
      const json = {
        network: loaded.network.name,
        weights: { source: loaded.weightsLabel, random: result.weights.random, summary: result.weights.summary, problems },
        ep: result.ep,
        session: result.session,
        results: result.results.map((r) => imageJson(r, labels, options.top)),
      };
      io.stdout(JSON.stringify(json, null, 2) + '\n');
    } else {
      const warning = randomWeightsWarning(result);
      const lines = [
        ...(warning ? [warning] : []),
        `network ${loaded.network.name}; weights ${result.weights.summary}`,
        ...formatEpReport(result.ep),
        sessionLine(result),
        ...result.results.flatMap((r) => imageLines(r, labels, options.top)),
        ...(warning ? [warning] : []),
      ];
      io.stdout(lines.join('\n') + '\n');
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await client.dispose();
  }
}
