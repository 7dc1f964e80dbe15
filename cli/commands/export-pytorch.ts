// `resnet-studio export FILE --format pytorch -o model.py`: the network as a self-contained PyTorch
// module file (engine/torch/export.ts); it holds no weights.
import { writeFile } from 'node:fs/promises';
import { CompileError } from '../../engine/onnx/build';
import { exportPytorch } from '../../engine/torch/export';
import { located, type CliIo } from '../io';
import { loadNetwork, type EngineOptions } from './infer';

export async function exportPytorchFile(file: string, output: string, options: EngineOptions, io: CliIo): Promise<number> {
  if (options.weights || options.randomWeights) {
    io.stderr('--weights and --random-weights do not apply to --format pytorch: the module file holds no weights (load them with load_state_dict)\n');
    return 2;
  }
  // Random weights stand in for the declared ones, which the module file does not need.
  const loaded = await loadNetwork(file, { ...options, randomWeights: true }, io);
  if (!loaded) return 1;
  let text: string;
  try {
    text = exportPytorch(loaded.network, file);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    io.stderr(`${located(file, error.range)}cannot export: ${error.message}\n`);
    return 1;
  }
  try {
    await writeFile(output, text);
  } catch (error) {
    io.stderr(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 1;
  }
  const params = loaded.network.params.toLocaleString('en-US');
  io.stdout(`${output}: PyTorch module of network ${loaded.network.name} (${params} parameters); build() returns it\n`);
  return 0;
}
