// `resnet-studio export FILE --format pytorch -o model.py`: the network as a self-contained PyTorch
// module file (engine/torch/export.ts); it holds no weights.
import { writeFile } from 'node:fs/promises';
import { CompileError } from '../../engine/onnx/build';
import { exportPytorch } from '../../engine/torch/export';
import type { EngineOptions } from '../engine-options';
import type { CliIo } from '../io';
import { where } from '../where';
import { loadNetwork } from './infer';

export async function exportPytorchFile(file: string, output: string, options: EngineOptions, io: CliIo): Promise<number> {
  // Random weights stand in for the declared ones, which the module file does not need.
  const loaded = await loadNetwork(file, { ...options, randomWeights: true }, io);
  if (!loaded) return 1;
  let text: string;
  try {
    text = exportPytorch(loaded.network, file);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    io.stderr(`${error.range ? where(file, loaded.lines, error.range) : file}: cannot export: ${error.message}\n`);
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
