// `resnet-studio export FILE --format pytorch -o model.py`: the network as a self-contained PyTorch
// module file (engine/torch/export.ts); it holds no weights.
import { exportPytorch } from '../../engine/torch/export';
import type { EngineOptions } from '../engine-options';
import { writeExport } from '../export-file';
import type { CliIo } from '../io';
import { loadNetwork } from './infer';

export async function exportPytorchFile(file: string, output: string, options: EngineOptions, io: CliIo): Promise<number> {
  // Random weights stand in for the declared ones, which the module file does not need.
  const loaded = await loadNetwork(file, { ...options, randomWeights: true }, io);
  if (!loaded) return 1;
  if ((await writeExport(file, loaded.lines, output, () => exportPytorch(loaded.network, file), io)) === undefined) return 1;
  const params = loaded.network.params.toLocaleString('en-US');
  io.stdout(`${output}: PyTorch module of network ${loaded.network.name} (${params} parameters); build() returns it\n`);
  return 0;
}
