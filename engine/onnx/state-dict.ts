// Matches a safetensors file against a network's expected state_dict the way
// `load_state_dict(strict=True)` does: missing keys, unexpected keys and size mismatches are errors.
// Each problem names the owning layer and its statement's span so an editor can put it on that layer.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Network } from '../../language/core/model';
import type { Span } from '../../language/core/syntax';
import { expectedWeights } from './network-walk';
import { FLOAT_DTYPES, SafetensorsFile } from './safetensors';
import { fileProblem } from './file-errors';

export type WeightProblemKind = 'missing' | 'unexpected' | 'shape' | 'dtype' | 'non-finite';

export interface WeightProblem {
  kind: WeightProblemKind;
  severity: 'error' | 'warning';
  key: string;
  /** The owning layer's dotted name and statement span; absent for unexpected keys. */
  layer?: string;
  range?: Span;
  message: string;
}

export type WeightsSource =
  | { kind: 'file'; path: string; mtimeMs: number; size: number }
  | { kind: 'random'; seed: number };

export interface LoadedWeights {
  source: WeightsSource;
  /** float32 values of every float entry the network expects, by torchvision key. */
  tensors: Map<string, Float32Array>;
  /** Read from a file: the one buffer the values were read into (each F32 tensor a view of it, see readFloat32Many). */
  buffer?: ArrayBuffer;
  problems: WeightProblem[];
  /** True when no problem is an error: the weights can be compiled into the model. */
  ok: boolean;
  /** One line for the `weights` statement, e.g. "122 tensors, 11.69M parameters loaded". */
  summary: string;
  /** The whole report in load_state_dict's words, for the CLI. */
  details: string;
}

const torchSize = (shape: readonly number[]) => `torch.Size([${shape.join(', ')}])`;

export interface LoadOptions {
  /**
   * false: check keys, shapes and dtypes from the header alone, without reading tensor data (fast,
   * for the language server); `tensors` is then empty and NaN/Inf values are not looked for.
   */
  readValues?: boolean;
}

export async function loadStateDict(network: Network, path: string, options: LoadOptions = {}): Promise<LoadedWeights> {
  const readValues = options.readValues ?? true;
  const { mtimeMs, size } = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read weights file ${path}: ${fileProblem(error)}`);
  });
  const file = await SafetensorsFile.open(path);
  try {
    const expected = expectedWeights(network);
    const entries = file.header.tensors;
    const problems: WeightProblem[] = [];
    const toRead: { key: string; owner: { layer?: string; range?: Span } }[] = [];
    const fileName = basename(path);

    for (const [key, { spec, layer }] of expected) {
      const owner = { layer: layer.name, range: layer.range };
      const entry = entries.get(key);
      const isCounter = spec.dtype === 'int64';
      if (!entry) {
        // torch fills in a missing num_batches_tracked when the checkpoint carries no version metadata.
        if (!isCounter) {
          problems.push({
            kind: 'missing',
            severity: 'error',
            key,
            ...owner,
            message: `missing weight ${key} ${torchSize(spec.shape)} in ${fileName}`,
          });
        }
        continue;
      }
      if (!sameShape(entry.shape, spec.shape)) {
        problems.push({
          kind: 'shape',
          severity: 'error',
          key,
          ...owner,
          message:
            `size mismatch for ${key}: copying a param with shape ${torchSize(entry.shape)} from checkpoint, ` +
            `the shape in current model is ${torchSize(spec.shape)}.`,
        });
        continue;
      }
      if (isCounter) continue;
      if (!FLOAT_DTYPES.includes(entry.dtype)) {
        problems.push({
          kind: 'dtype',
          severity: 'error',
          key,
          ...owner,
          message: `${key} is stored as ${entry.dtype}; a float weight must be F32, F16 or BF16`,
        });
        continue;
      }
      if (readValues) toRead.push({ key, owner });
    }
    const { values: tensors, buffer } = await file.readFloat32Many(toRead.map((t) => t.key));
    for (const { key, owner } of toRead) {
      const values = tensors.get(key)!;
      const { nan, inf } = countNonFinite(values);
      if (nan + inf > 0) {
        problems.push({
          kind: 'non-finite',
          severity: 'warning',
          key,
          ...owner,
          message: `${key} holds ${nan} NaN and ${inf} infinite value(s) of ${values.length}`,
        });
      }
    }
    for (const key of entries.keys()) {
      if (!expected.has(key)) {
        problems.push({ kind: 'unexpected', severity: 'error', key, message: `unexpected weight ${key} in ${fileName}` });
      }
    }
    return {
      source: { kind: 'file', path, mtimeMs, size },
      tensors,
      buffer,
      problems,
      ok: !problems.some((p) => p.severity === 'error'),
      summary: summarise(problems, tensors, fileName),
      details: torchStyleReport(network.name, problems),
    };
  } finally {
    await file.close();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function countNonFinite(values: Float32Array): { nan: number; inf: number } {
  // One multiply-add per value finds whether any is NaN or infinite (x·0 is NaN only for those); the
  // common all-finite case never runs the counting loop.
  let probe = 0;
  for (let i = 0; i < values.length; i++) probe += values[i]! * 0;
  if (probe === 0) return { nan: 0, inf: 0 };
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      if (Number.isNaN(v)) nan++;
      else inf++;
    }
  }
  return { nan, inf };
}

export function formatParameterCount(count: number): string {
  if (count >= 1e6) return `${(count / 1e6).toFixed(2)}M`;
  if (count >= 1e3) return `${(count / 1e3).toFixed(1)}K`;
  return String(count);
}

function summarise(problems: WeightProblem[], tensors: Map<string, Float32Array>, fileName: string): string {
  const count = (kind: WeightProblemKind) => problems.filter((p) => p.kind === kind).length;
  const parts: string[] = [];
  if (count('missing')) parts.push(`${count('missing')} missing`);
  if (count('unexpected')) parts.push(`${count('unexpected')} unexpected`);
  if (count('shape')) parts.push(`${count('shape')} wrong-shaped`);
  if (count('dtype')) parts.push(`${count('dtype')} of a non-float dtype`);
  const values = [...tensors.values()].reduce((sum, t) => sum + t.length, 0);
  if (tensors.size === 0 && problems.length === 0) return `${fileName} fits this network`;
  const nonFinite = count('non-finite') ? `; ${count('non-finite')} tensor(s) hold NaN or infinite values` : '';
  if (parts.length > 0) return `${fileName} does not fit this network: ${parts.join(', ')} tensor(s)${nonFinite}`;
  return `${fileName}: ${tensors.size} tensors, ${formatParameterCount(values)} values loaded${nonFinite}`;
}

function torchStyleReport(networkName: string, problems: WeightProblem[]): string {
  const keys = (kind: WeightProblemKind) =>
    problems
      .filter((p) => p.kind === kind)
      .map((p) => `"${p.key}"`)
      .join(', ');
  const lines: string[] = [];
  if (keys('missing')) lines.push(`Missing key(s) in state_dict: ${keys('missing')}.`);
  if (keys('unexpected')) lines.push(`Unexpected key(s) in state_dict: ${keys('unexpected')}.`);
  for (const p of problems) if (p.kind === 'shape' || p.kind === 'dtype') lines.push(p.message);
  const warnings = problems.filter((p) => p.kind === 'non-finite').map((p) => `warning: ${p.message}`);
  if (lines.length === 0) return warnings.join('\n');
  return [`Error(s) in loading state_dict for ${networkName}:`, ...lines.map((l) => `\t${l}`), ...warnings].join('\n');
}
