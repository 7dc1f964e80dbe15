// Runs test/oracle/difftest_torch.py (Debian's torch and torchvision) on a batch of descriptions:
// one python process per batch, since starting python and importing torch takes about two seconds.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFloatTensors } from '../unit/onnx/oracle';
import type { NetworkDescription } from './description';

/** Always Debian's python: a pyenv python without torch may come first on PATH. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', 'oracle', 'difftest_torch.py');

export interface TorchError {
  type: string;
  message: string;
  /** Torch would run it; the language rejects it on purpose (README.md). */
  strict: boolean;
}

export interface TorchLayer {
  name: string;
  /** Null when the module never ran. */
  shape: number[] | null;
  params: number;
  macs: number;
}

export interface TorchResult {
  index: number;
  error: TorchError | null;
  output?: number[];
  params?: number;
  macs?: number;
  layers?: TorchLayer[];
  state?: { key: string; shape: number[]; dtype: string }[];
}

/** Builds and runs every description in torch; the weights, input and logits land in `folder`. */
export async function runTorch(descriptions: NetworkDescription[], folder: string): Promise<Map<number, TorchResult>> {
  const cases = join(folder, 'cases.json');
  await writeFile(cases, JSON.stringify(descriptions));
  await promisify(execFile)(PYTHON, [SCRIPT, cases, folder, '--threads', '1'], { maxBuffer: 64 << 20, timeout: 600_000 });
  const results: TorchResult[] = JSON.parse(await readFile(join(folder, 'results.json'), 'utf8'));
  return new Map(results.map((r) => [r.index, r]));
}

/**
 * The logits of a network that ran, computed again in float64 (`.double()`) on the weights and input
 * torch saved for it in `folder`: what float32 rounding is measured against.
 */
export async function runTorchFloat64(description: NetworkDescription, folder: string): Promise<number[]> {
  const cases = join(folder, `${description.index}.float64-case.json`);
  await writeFile(cases, JSON.stringify([description]));
  await promisify(execFile)(PYTHON, [SCRIPT, cases, folder, '--threads', '1', '--float64'], { maxBuffer: 64 << 20, timeout: 600_000 });
  const logits: Record<string, (number | string)[]> = JSON.parse(await readFile(join(folder, 'float64.json'), 'utf8'));
  return logits[description.index]!.map(Number); // 'Infinity', '-Infinity', 'NaN' written as strings
}

/** What torch saved for a network that ran: its float tensors by state_dict key, and `@input`, `@logits`. */
export const readTensors = (folder: string, index: number): Promise<Map<string, Float32Array>> => readFloatTensors(join(folder, `${index}.safetensors`));
