// `resnet-studio export FILE -o model.onnx [--weights W | --random-weights]`: the network and its
// weights as an ONNX model (IR 8, opset 17), input `input` [1, C, H, W], output `logits`.
import { writeFile } from 'node:fs/promises';
import { CompileError, compileToOnnx } from '../../engine/onnx/build';
import { randomWeights } from '../../engine/onnx/random-weights';
import { loadStateDict, type LoadedWeights } from '../../engine/onnx/state-dict';
import type { CliIo } from '../io';
import { where } from '../where';
import { loadNetwork, parseEngineArgs } from './infer';

const USAGE = 'usage: resnet-studio export FILE -o model.onnx [--weights W | --random-weights [--seed N]] [--network NAME]\n';
const FLAGS = new Set(['-o', '--output', '--weights', '--random-weights', '--seed', '--network']);

export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseEngineArgs(args, FLAGS);
  if (typeof options === 'string') {
    io.stderr(`${options}\n${USAGE}`);
    return 2;
  }
  const [file, ...extra] = options.positional;
  if (!file || extra.length > 0 || !options.output) {
    io.stderr(USAGE);
    return 2;
  }
  // The labels are not part of an ONNX model: their warnings do not concern an export.
  const loaded = await loadNetwork(file, options, io);
  if (!loaded) return 1;

  let weights: LoadedWeights;
  if (loaded.weights.kind === 'random') {
    weights = randomWeights(loaded.network, loaded.weights.seed);
  } else {
    try {
      weights = await loadStateDict(loaded.network, loaded.weights.path);
    } catch (error) {
      io.stderr(`${(error as Error).message}\n`);
      return 1;
    }
  }
  if (!weights.ok) {
    io.stderr(`${loaded.weightsSource}: ${weights.summary}\n${weights.details}\n`);
    return 1;
  }
  for (const problem of weights.problems) io.stderr(`warning: ${problem.message}\n`);

  let bytes: Uint8Array;
  try {
    const metadata: Record<string, string> =
      weights.source.kind === 'random' ? { weights: `random (seed ${weights.source.seed})` } : {};
    bytes = compileToOnnx(loaded.network, weights.tensors, metadata);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    io.stderr(`${error.range ? where(file, loaded.lines, error.range) : file}: cannot export: ${error.message}\n`);
    return 1;
  }
  try {
    await writeFile(options.output, bytes);
  } catch (error) {
    io.stderr(`cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 1;
  }
  const random = weights.source.kind === 'random';
  io.stdout(
    `${options.output}: ONNX (IR 8, opset 17) of network ${loaded.network.name}, ${(bytes.length / 1e6).toFixed(1)} MB; ` +
      `weights ${weights.summary}\n`,
  );
  if (random) io.stdout(`WARNING: the exported model holds random weights (seed ${options.seed}); its outputs are meaningless\n`);
  return 0;
}
