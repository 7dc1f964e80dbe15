// `resnet-studio export FILE -o model.onnx`: the network and its weights as an ONNX model (IR 8,
// opset 17), input `input` [batch, C, H, W], output `logits`, each batchnorm folded into the conv
// before it unless --keep-bn. `--format pytorch -o model.py` writes the network as a PyTorch module
// instead (export-pytorch.ts).
import { compileToOnnx } from '../../engine/onnx/build';
import { encodeModel } from '../../engine/onnx/encode';
import { CalibrationError, calibrationImages, deployModel, type DeployTarget } from '../../engine/runtime/deploy-model';
import { randomWeights } from '../../engine/onnx/random-weights';
import { loadStateDict, type LoadedWeights } from '../../engine/onnx/state-dict';
import { parseCommand, usageError, type CommandSpec } from '../args';
import { ENGINE_OPTIONS, engineOptions, engineOptionSpecs } from '../engine-options';
import { DEPLOY_OPTIONS, deployChoice } from '../deploy-options';
import { outputProblem, writeExport } from '../export-file';
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
    ...DEPLOY_OPTIONS,
    'keep-bn': { type: 'boolean', help: 'keep each batchnorm as its own node (by default it is folded into the conv before it, as for inference)' },
  },
} satisfies CommandSpec;

const FORMATS = ['onnx', 'pytorch'];

function precisionLine(target: DeployTarget | undefined): string {
  if (target?.precision !== 'int8') return target ? 'fp16 (float32 input and logits)' : 'fp32';
  return `int8 QDQ (per-channel int8 weights, ${target.activations} activations calibrated by ${target.method} on ${target.images.length} images)`;
}

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
  const deploy = deployChoice(parsed.options);
  if (typeof deploy === 'string') return usageError(spec, deploy, io);
  if (format === 'pytorch' && deploy.precision !== 'fp32') return usageError(spec, '--fp16 and --quantize make ONNX models; --format pytorch writes the module without weights', io);
  const keepBn = parsed.options['keep-bn'] === true;
  if (format === 'pytorch' && keepBn) return usageError(spec, '--keep-bn applies to ONNX only: the PyTorch module keeps its batchnorm layers', io);
  if (keepBn && deploy.precision !== 'fp32') return usageError(spec, '--keep-bn applies to fp32 models: --fp16 and --quantize work on the folded graph', io);
  const unwritable = await outputProblem(output);
  if (unwritable) {
    io.stderr(`${unwritable}\n`);
    return 1;
  }
  if (format === 'pytorch') return exportPytorchFile(file, output, options, io);
  let target: DeployTarget | undefined;
  if (deploy.precision === 'int8') {
    const images = await calibrationImages(deploy.folder, deploy.images);
    if (typeof images === 'string') {
      io.stderr(`${images}\n`);
      return 1;
    }
    target = { ...deploy, images };
  } else if (deploy.precision === 'fp16') {
    target = { precision: 'fp16' };
  }
  // The labels are not part of an ONNX model: their warnings do not concern an export.
  const loaded = await loadNetwork(file, options, io);
  if (!loaded) return 1;
  if (deploy.precision === 'int8' && loaded.network.input?.length === 4) {
    return usageError(spec, `--quantize int8 calibrates on single images, and network ${loaded.network.name} takes clips (C×T×H×W): a clip network cannot be quantized yet (--fp16 can export it)`, io);
  }

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
  const make = target
    ? async () => encodeModel(await deployModel(loaded.network, weights.tensors, metadata, target))
    : () => compileToOnnx(loaded.network, weights.tensors, metadata, { keepBatchnorm: keepBn, consumeWeights: true });
  let bytes;
  try {
    bytes = await writeExport(file, loaded.lines, output, make, io);
  } catch (error) {
    if (!(error instanceof CalibrationError)) throw error;
    io.stderr(`${error.message}\n`);
    return 1;
  }
  if (!bytes) return 1;
  const random = weights.source.kind === 'random';
  io.stdout(
    `${output}: ONNX (IR 8, opset 17) of network ${loaded.network.name}, ${(bytes.length / 1e6).toFixed(1)} MB, any batch size, ` +
      `batchnorm ${keepBn ? 'kept' : 'folded into the convs'}; ${precisionLine(target)}; weights ${weights.summary}\n`,
  );
  if (random) io.stdout(`WARNING: the exported model holds random weights (seed ${options.seed}); its outputs are meaningless\n`);
  return 0;
}
