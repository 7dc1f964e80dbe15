// Runs test/oracle/dataflow_models.py (Debian's torch/torchvision): the reference modules of the
// networks with named values. Logit files are cached in the temp folder by the script's content.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'oracle', 'dataflow_models.py');
export const PYTHON = '/usr/bin/python3';

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
  const hash = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 16);
  const folder = join(tmpdir(), `resnet-studio-dataflow-oracle-${hash}`);
  mkdirSync(folder, { recursive: true });
  const missing = names.filter((n) => !existsSync(join(folder, `${n}.io.safetensors`)));
  if (missing.length === 0) return folder;
  const staging = mkdtempSync(join(folder, 'staging-'));
  try {
    execFileSync(PYTHON, [SCRIPT, 'logits', staging, ...missing], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
    // Whole files renamed into place: concurrent test processes never see half-written ones.
    for (const n of missing) for (const suffix of ['safetensors', 'io.safetensors']) renameSync(join(staging, `${n}.${suffix}`), join(folder, `${n}.${suffix}`));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return folder;
}
