// Runs test/oracle/dataflow_models.py (Debian's torch/torchvision): the reference modules of the
// networks with named values. Logit files are cached in the temp folder by the scripts' content.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFiles, PYTHON } from '../onnx/oracle';

const SCRIPT = join(__dirname, '..', '..', 'oracle', 'dataflow_models.py');
const SEEDED_WEIGHTS = join(__dirname, '..', '..', 'oracle', 'seeded_weights.py');
export { PYTHON };

export interface ReferenceCounts {
  params: number;
  keys: Record<string, number[]>;
  layers: { name: string; type: string; outputShape: number[] }[];
}

export function referenceCounts(names: string[]): Record<string, ReferenceCounts> {
  return JSON.parse(execFileSync(PYTHON, [SCRIPT, 'counts', ...names], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 600_000 }));
}

/** The folder holding <name>.safetensors (seeded random weights) and <name>.io.safetensors for each model. */
export function referenceLogits(names: string[]): string {
  const hash = createHash('sha256');
  for (const script of [SCRIPT, SEEDED_WEIGHTS]) hash.update(readFileSync(script));
  const folder = join(tmpdir(), `resnet-studio-dataflow-oracle-${hash.digest('hex').slice(0, 16)}`);
  mkdirSync(folder, { recursive: true });
  const missing = names.filter((n) => !existsSync(join(folder, `${n}.io.safetensors`)));
  if (missing.length > 0) {
    generateFiles(folder, 'dataflow_models.py', (staging) => ['logits', staging, ...missing], missing.flatMap((n) => [`${n}.safetensors`, `${n}.io.safetensors`]));
  }
  return folder;
}
