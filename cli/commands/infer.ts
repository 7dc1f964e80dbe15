// `resnet-studio infer FILE IMAGE...`: top-k labels with probabilities per image, the EP that ran (and
// the failed attempts), timings. Also the helpers that `export` and `eval` share: loading the network,
// running the worker, the lines every run prints.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InferenceClient, InferenceError } from '../../engine/runtime/client';
import type { OnResults } from '../../engine/runtime/dataset';
import { inferenceResult } from '../../engine/runtime/inference-result';
import { formatEpReport, type EpChoice } from '../../engine/runtime/providers';
import { inferRequest, isModelProblem, loadModel, unreadable, type RunnableModel } from '../../engine/runtime/runnable-model';
import { className, clipFramesText, resultJson, type ImageResult, type RunReport } from '../../contracts/inference-result';
import { formatDims } from '../../language/core/format';
import type { InferResult, WeightsRequest } from '../../contracts/worker';
import { where } from '../where';
import { EXPLAIN_OPTIONS, overlayLine, overlayPaths, profileLines, writeOverlays } from '../explain';
import { parseCommand, usageError } from '../args';
import { engineOptions, engineOptionSpecs, type EngineOptions } from '../engine-options';
import type { CliIo } from '../io';
import { readSource } from '../io';

/** Reads FILE and loads its network, weights and labels; prints why it cannot and returns undefined. */
export async function loadNetwork(file: string, options: Pick<EngineOptions, 'weights' | 'randomWeights' | 'seed' | 'network' | 'model'>, io: CliIo): Promise<RunnableModel | undefined> {
  const text = await readSource(file, io);
  if (text === undefined) return undefined;
  const weights: WeightsRequest | undefined = options.randomWeights
    ? { kind: 'random', seed: options.seed }
    : options.weights
      ? { kind: 'file', path: resolve(options.weights) }
      : options.model
        ? { kind: 'model', path: resolve(options.model) }
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
export async function runInference(
  client: InferenceClient,
  model: RunnableModel,
  settings: { ep: EpChoice; batch?: number; cam?: boolean; profile?: boolean },
  images: string[],
  io: CliIo,
  onResults?: OnResults,
): Promise<InferResult | undefined> {
  const { cam, profile, ...rest } = settings;
  const extras = { ...(cam ? { cam: { classes: 1 }, includeSeenImage: true } : {}), ...(profile ? { profile: true } : {}) };
  try {
    return await client.infer(inferRequest(model, images, { ...rest, ...extras }), undefined, onResults);
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

/** The first line of a run: the network, the precision that ran, the weights. */
export function runLine(result: RunReport): string {
  return `network ${result.network} (${result.precision}); weights ${result.weights.summary}`;
}

export function randomWeightsWarning(result: RunReport): string | undefined {
  return result.weights.random ? `WARNING: ${result.weights.summary}` : undefined;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export function sessionLine(result: RunReport): string {
  const s = result.session;
  if (s.cached) return 'session: cached';
  if (s.modelCache === 'hit') return `session: optimized model from the cache (weights digest ${ms(s.weightsMs)}), session creation ${ms(s.sessionMs)}`;
  return `session: weights ${ms(s.weightsMs)}, compile ${ms(s.compileMs)}, session creation ${ms(s.sessionMs)}`;
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
    ...(image.clip
      ? [`  clip: ${clipFramesText(image.clip)}`, `  input ${formatDims(image.clip.input)} (C×T×H×W); preprocess ${image.clip.preprocess}`]
      : []),
    `  decode ${ms(t.decodeMs)}, preprocess ${ms(t.preprocessMs)}, run ${ms(t.runMs)}`,
  ];
}

export const spec = {
  name: 'infer',
  args: ['FILE', 'IMAGE...'],
  summary: 'top classes of each image (each clip for a C×T×H×W network), the execution provider that ran, timings',
  options: { ...engineOptionSpecs('weights', 'random-weights', 'seed', 'network', 'model', 'ep', 'top', 'json'), ...EXPLAIN_OPTIONS },
};

export async function run(args: string[], io: CliIo, client = new InferenceClient()): Promise<number> {
  const parsed = parseCommand(spec, args, io);
  if (typeof parsed === 'number') return parsed;
  const options = engineOptions(parsed.options);
  if (typeof options === 'string') return usageError(spec, options, io);
  const [file, ...images] = parsed.args as [string, ...string[]];
  // Before anything is loaded: a missing image is found in a millisecond, not after building a session.
  // A folder may be a clip of frames: whether it can be depends on the network's input.
  const folders = new Set((await Promise.all(images.map(async (image) => ((await stat(image).catch(() => undefined))?.isDirectory() ? [image] : [])))).flat());
  const problems = (await Promise.all(images.filter((image) => !folders.has(image)).map(async (image) => ({ image, why: await unreadable(image) })))).filter((p) => p.why);
  for (const { image, why } of problems) io.stderr(`${image}: cannot read the image: ${why}\n`);
  if (problems.length > 0) return 1;
  const camTarget = parsed.options.cam;
  const camPaths = camTarget === undefined ? [] : await overlayPaths(camTarget, images);
  if (typeof camPaths === 'string') {
    io.stderr(`${camPaths}\n`);
    return 1;
  }
  // The worker starts while the network is read and analysed.
  client.start();
  try {
    const model = await loadNetwork(file, options, io);
    if (!model) return 1;
    if (model.network.input?.length !== 4 && folders.size > 0) {
      for (const folder of folders) io.stderr(`${folder}: cannot read the image: it is a directory (a folder of frames is a clip, for a network whose input is CxTxHxW)\n`);
      return 1;
    }
    printWarnings(model, io);
    const run = await runInference(client, model, { ep: options.ep, cam: camTarget !== undefined, profile: parsed.options.profile === true }, images, io);
    if (!run) return 1;
    const result = inferenceResult(model, run, { top: options.top });
    const overlays = camTarget === undefined ? [] : await writeOverlays(camPaths, run);
    if (typeof overlays === 'string') {
      io.stderr(`${overlays}\n`);
      return 1;
    }
    if (options.json) {
      io.stdout(resultJson(result));
    } else {
      const warning = randomWeightsWarning(result);
      const lines = [
        ...(warning ? [warning] : []),
        runLine(result),
        ...formatEpReport(result.ep),
        sessionLine(result),
        ...result.results.flatMap((image) => [...imageLines(image), ...profileLines(image)]),
        ...overlays.map(overlayLine),
        ...(warning ? [warning] : []),
      ];
      io.stdout(lines.join('\n') + '\n');
    }
    return result.results.some((r) => r.error !== undefined) ? 1 : 0;
  } finally {
    await client.dispose();
  }
}
