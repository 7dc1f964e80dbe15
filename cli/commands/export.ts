// `resnet-studio export FILE -o model.onnx`: the network and its weights as an ONNX model (IR 8,
// opset 17), input `input` [batch, C, H, W], output `logits`, each batchnorm folded into the conv
// before it unless --keep-bn. `--format pytorch -o model.py` writes the network as a PyTorch module
// instead (export-pytorch.ts).
import { compileToOnnx } from '../../engine/onnx/build';
import { randomWeights } from '../../engine/onnx/random-weights';
import { loadStateDict, type LoadedWeights } from '../../engine/onnx/state-dict';
import { parseCommand, usageError, type CommandSpec } from '../args';
import { ENGINE_OPTIONS, engineOptions, engineOptionSpecs } from '../engine-options';
import { writeExport } from '../export-file';
import type { CliIo } from '../io';
import { exportPytorchFile } from './export-pytorch';
import { loadNetwork } from './infer';

export const spec = {
  name: 'export',
  args: ['FILE'],
  summary: 'the network and its weights as an ONNX model (IR 8, opset 17), or the network as a PyTorch module',
  options: {
    ...engineOptionSpecs('weights', 'random-weights', 'seed', 'network'),
    output: { ...ENGINE_OPTIONS.output, help: 'the file to write: model.onnx, or model.py with --format pytorch' },
    format: { type: 'string', value: 'onnx|pytorch', help: 'onnx (default), or pytorch: a self-contained nn.Module file whose state_dict is the .resnet file\'s (no weights)' },
    'keep-bn': { type: 'boolean', help: 'keep each batchnorm as its own node (by default it is folded into the conv before it, as for inference)' },
  },
} satisfies CommandSpec;

const FORMATS = ['onnx', 'pytorch'];

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(spec, args, io);
  if (typeof parsed === 'number') return parsed;
  const options = engineOptions(parsed.options);
  if (typeof options === 'string') return usageError(spec, options, io);
  const output = options.output!;
  const [file] = parsed.args as [string];
  const format = parsed.options.format ?? 'onnx';
  if (!FORMATS.includes(format)) return usageError(spec, `--format must be one of ${FORMATS.join(', ')}, not '${format}'`, io);
  if (format === 'pytorch' && (options.weights || options.randomWeights)) {
    return usageError(spec, '--weights and --random-weights do not apply to --format pytorch: the module holds no weights (load them with load_state_dict)', io);
  }
  const keepBn = parsed.options['keep-bn'] === true;
  if (format === 'pytorch' && keepBn) return usageError(spec, '--keep-bn applies to ONNX only: the PyTorch module keeps its batchnorm layers', io);
  if (format === 'pytorch') return exportPytorchFile(file, output, options, io);
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

  const metadata: Record<string, string> = weights.source.kind === 'random' ? { weights: `random (seed ${weights.source.seed})` } : {};
  const bytes = await writeExport(file, loaded.lines, output, () => compileToOnnx(loaded.network, weights.tensors, metadata, { keepBatchnorm: keepBn, consumeWeights: true }), io);
  if (!bytes) return 1;
  const random = weights.source.kind === 'random';
  io.stdout(
    `${output}: ONNX (IR 8, opset 17) of network ${loaded.network.name}, ${(bytes.length / 1e6).toFixed(1)} MB, ` +
      `any batch size, batchnorm ${keepBn ? 'kept' : 'folded into the convs'}; ` +
      `weights ${weights.summary}\n`,
  );
  if (random) io.stdout(`WARNING: the exported model holds random weights (seed ${options.seed}); its outputs are meaningless\n`);
  return 0;
}
