// Runs test/oracle/reference_logits.py (Debian's torch/torchvision) once per set of missing models
// and caches its files in the temp folder, keyed by the content of the oracle scripts, so every
// test file of a run (and later runs) shares one python invocation per model.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Network } from '../../../language/core/model';
import { SafetensorsFile } from '../../../engine/onnx/safetensors';

const ORACLE_DIR = join(__dirname, '..', '..', 'oracle');
const SCRIPTS = ['reference_logits.py', 'reference_models.py', 'seeded_weights.py', join('..', '..', 'engine', 'torch', 'python', 'safetensors_file.py')];
export const PYTHON = '/usr/bin/python3';

function cacheFolder(): string {
  const hash = createHash('sha256');
  for (const script of SCRIPTS) hash.update(readFileSync(join(ORACLE_DIR, script)));
  const name = `resnet-studio-oracle-${hash.digest('hex').slice(0, 16)}`;
  const folder = join(tmpdir(), name);
  if (!existsSync(folder)) {
    // The files of older oracle versions are stale (and big): drop those untouched for a day. A newer
    // one may belong to a test run of another checkout going on now.
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    for (const old of readdirSync(tmpdir()).filter((f) => f.startsWith('resnet-studio-oracle-') && f !== name)) {
      const path = join(tmpdir(), old);
      if ((statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) < dayAgo) rmSync(path, { recursive: true, force: true });
    }
    mkdirSync(folder, { recursive: true });
  }
  return folder;
}

/**
 * Runs an oracle script (in test/oracle) that writes into the staging folder it is given, then renames
 * its `outputs` into `folder`: whole files, so concurrent test processes never see half-written ones.
 */
export function generateFiles(folder: string, script: string, args: (staging: string) => string[], outputs: string[], renames: Record<string, string> = {}): void {
  const staging = mkdtempSync(join(folder, 'staging-'));
  try {
    execFileSync(PYTHON, [join(ORACLE_DIR, script), ...args(staging)], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
    for (const file of outputs) renameSync(join(staging, file), join(folder, renames[file] ?? file));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const generate = (folder: string, args: string[], outputs: string[], renames?: Record<string, string>) =>
  generateFiles(folder, 'reference_logits.py', (staging) => [staging, ...args, '--threads', '2'], outputs, renames);

/** The network for the python side, its exact counts (bigint) as numbers. */
const networkJson = (network: Network) => JSON.stringify(network, (_key, value) => (typeof value === 'bigint' ? Number(value) : value));

/** The folder holding <name>.safetensors and <name>.io.safetensors for each model. */
export function referenceModels(names: string[]): string {
  const folder = cacheFolder();
  const missing = names.filter((n) => !existsSync(join(folder, `${n}.io.safetensors`)));
  if (missing.length > 0) {
    generate(folder, missing, missing.flatMap((n) => [`${n}.safetensors`, `${n}.io.safetensors`]));
  }
  return folder;
}

/**
 * Reference files for analysed networks without a torchvision counterpart: reference_logits.py
 * --network-json runs each with torch.nn.functional. Cached by the network's content.
 */
export function referenceNetworks(networks: Network[]): Map<string, { weights: string; io: string }> {
  const folder = cacheFolder();
  const files = new Map<string, { weights: string; io: string }>();
  const missing: { network: Network; hash: string }[] = [];
  for (const network of networks) {
    const hash = createHash('sha256').update(networkJson(network)).digest('hex').slice(0, 16);
    const paths = { weights: join(folder, `${network.name}.${hash}.safetensors`), io: join(folder, `${network.name}.${hash}.io.safetensors`) };
    files.set(network.name, paths);
    if (!existsSync(paths.io)) missing.push({ network, hash });
  }
  if (missing.length > 0) {
    const args: string[] = [];
    const outputs: string[] = [];
    const renames: Record<string, string> = {};
    for (const { network, hash } of missing) {
      const json = join(folder, `${network.name}.${hash}.json`);
      writeFileSync(json, networkJson(network));
      args.push('--network-json', json);
      for (const suffix of ['safetensors', 'io.safetensors']) {
        outputs.push(`${network.name}.${suffix}`);
        renames[`${network.name}.${suffix}`] = `${network.name}.${hash}.${suffix}`;
      }
    }
    generate(folder, args, outputs, renames);
  }
  return files;
}

/** The path of dtypes.safetensors (see reference_logits.py --dtypes). */
export function referenceDtypes(): string {
  const folder = cacheFolder();
  const path = join(folder, 'dtypes.safetensors');
  if (!existsSync(path)) generate(folder, ['--dtypes'], ['dtypes.safetensors']);
  return path;
}

export async function referenceIo(folder: string, name: string): Promise<{ input: Float32Array; logits: Float32Array }> {
  return readIo(join(folder, `${name}.io.safetensors`));
}

/** Every float32 tensor of a safetensors file written by torch, by key. */
export async function readFloatTensors(path: string): Promise<Map<string, Float32Array>> {
  const file = await SafetensorsFile.open(path);
  try {
    const tensors = new Map<string, Float32Array>();
    for (const [key, entry] of file.header.tensors) if (entry.dtype === 'F32') tensors.set(key, await file.readFloat32(key));
    return tensors;
  } finally {
    await file.close();
  }
}

export async function readIo(path: string): Promise<{ input: Float32Array; logits: Float32Array }> {
  const file = await SafetensorsFile.open(path);
  try {
    return { input: await file.readFloat32('input'), logits: await file.readFloat32('logits') };
  } finally {
    await file.close();
  }
}

/** max |a - b| / max |b|: the error relative to the largest reference logit. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - actual[i]!));
  }
  return maxDiff / maxAbs;
}

export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b]! - values[a]!)
    .slice(0, k);
}
