// A differential-test run: generate networks, analyse them and write our PyTorch exports, ask torch in
// batches (the next batch's python runs while this batch is compared; it runs our exports too),
// compare, and describe each disagreement so it can be reproduced.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCase, KIND_NAMES, prepareCase, type Difference, type DifferenceKind, type Verdict } from './compare';
import type { NetworkDescription } from './description';
import { generateCase, type Case } from './generate';
import { runTorch, type TorchResult } from './torch-oracle';

export interface RunOptions {
  seed: number;
  /** Index of the first network. */
  start: number;
  count: number;
  /** Networks per python process. */
  batch?: number;
  /** Writes each disagreeing case's .resnet, description (.json), torch's result (.torch.json) and our PyTorch export (.py) here. */
  keep?: string;
  onBatch?: (progress: RunResult) => void;
}

export interface Disagreement {
  case: Case;
  torch: TorchResult;
  differences: Difference[];
}

/** A lowering of a network whose logits agree with torch only against float64 (README.md, "What is compared"). */
export interface Conditioned {
  case: Case;
  kind: 'onnx' | 'pytorch';
  note: string;
}

export interface RunResult {
  networks: number;
  verdicts: Record<Verdict, number>;
  /** Clips; those with a block of named values (a dataflow stage); of those, the ones both ran. */
  clips: { all: number; dataflow: number; dataflowRan: number };
  disagreements: Disagreement[];
  /** Disagreeing networks by what disagreed (one network may count under several). */
  kinds: Record<DifferenceKind, number>;
  /** Networks both ran whose PyTorch export was run in torch and judged. */
  exportChecked: number;
  conditioned: Conditioned[];
  seconds: number;
}

const isClip = (d: NetworkDescription) => d.input.length === 4;
const hasDataflow = (d: NetworkDescription) => Object.values(d.blocks).some((b) => b.body.some((s) => s.kind === 'bind'));

export async function runDifftest(options: RunOptions): Promise<RunResult> {
  const began = Date.now();
  const size = options.batch ?? 50;
  const batches: Case[][] = [];
  for (let i = 0; i < options.count; i += size) {
    const length = Math.min(size, options.count - i);
    batches.push(Array.from({ length }, (_, k) => generateCase(options.seed, options.start + i + k)));
  }
  const scratch = await mkdtemp(join(tmpdir(), 'resnet-studio-difftest-'));
  const result: RunResult = {
    networks: 0,
    verdicts: { 'both ran': 0, 'both rejected': 0, disagree: 0 },
    clips: { all: 0, dataflow: 0, dataflowRan: 0 },
    disagreements: [],
    kinds: { verdict: 0, analysis: 0, onnx: 0, pytorch: 0 },
    exportChecked: 0,
    conditioned: [],
    seconds: 0,
  };
  const ask = async (k: number) => {
    const folder = join(scratch, String(k));
    await mkdir(folder);
    const ours = [];
    for (const c of batches[k]!) ours.push(await prepareCase(c, folder));
    return { folder, ours, results: await runTorch(batches[k]!.map((c) => c.description), folder) };
  };
  try {
    let pending = batches.length ? ask(0) : undefined;
    for (let k = 0; k < batches.length; k++) {
      const { folder, ours, results } = await pending!;
      pending = k + 1 < batches.length ? ask(k + 1) : undefined;
      for (const [i, c] of batches[k]!.entries()) {
        const torch = results.get(c.description.index)!;
        const { verdict, differences, conditioning, exportChecked } = await compareCase(c, ours[i]!, torch, folder);
        result.verdicts[verdict]++;
        if (exportChecked) result.exportChecked++;
        if (isClip(c.description)) {
          result.clips.all++;
          if (hasDataflow(c.description)) {
            result.clips.dataflow++;
            if (verdict === 'both ran') result.clips.dataflowRan++;
          }
        }
        result.conditioned.push(...conditioning.map(({ kind, note }) => ({ case: c, kind, note })));
        if (verdict === 'disagree') {
          result.disagreements.push({ case: c, torch, differences });
          for (const kind of new Set(differences.map((d) => d.kind))) result.kinds[kind]++;
          if (options.keep) await keep(options.keep, c, torch, folder);
        }
      }
      result.networks += batches[k]!.length;
      await rm(folder, { recursive: true, force: true });
      result.seconds = (Date.now() - began) / 1000;
      options.onBatch?.(result);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return result;
}

async function keep(folder: string, c: Case, torch: TorchResult, batch: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const base = join(folder, `seed${c.runSeed}-${c.description.index}`);
  await writeFile(`${base}.resnet`, c.text);
  // A list, as test/oracle/difftest_torch.py reads it.
  await writeFile(`${base}.json`, JSON.stringify([c.description], null, 2));
  await writeFile(`${base}.torch.json`, JSON.stringify(torch, null, 2));
  const exported = join(batch, `${c.description.index}.py`);
  if (existsSync(exported)) await copyFile(exported, `${base}.py`);
}

export function summary(result: RunResult): string {
  const v = result.verdicts;
  const clips = result.clips;
  const kinds = Object.entries(result.kinds).filter(([, n]) => n > 0);
  const what = kinds.length ? ` [${kinds.map(([kind, n]) => `${KIND_NAMES[kind as DifferenceKind]} ${n}`).join(', ')}]` : '';
  return (
    `difftest: ${result.networks} networks, ${result.disagreements.length} disagreements${what} ` +
    `(both ran ${v['both ran']}, both rejected ${v['both rejected']}; PyTorch export checked on ${result.exportChecked}; ` +
    `${clips.all} clips, ${clips.dataflow} of them with dataflow stages, ${clips.dataflowRan} of those ran; ` +
    `${result.conditioned.length} agreeing only against float64; ${result.seconds.toFixed(1)} s)`
  );
}

export function formatConditioned(c: Conditioned): string {
  const { runSeed, description } = c.case;
  return `≈ seed ${runSeed} index ${description.index}, ${KIND_NAMES[c.kind]}: ${c.note}`;
}

export function formatDisagreement(d: Disagreement): string {
  const { runSeed, description, text } = d.case;
  return [
    `✗ seed ${runSeed} index ${description.index} (generated as ${description.intent})`,
    ...d.differences.map(({ kind, message }) => `  - ${KIND_NAMES[kind]}: ${message.replace(/\n\s*/g, '\n      ')}`),
    `  reproduce: npm run difftest -- --seed ${runSeed} --start ${description.index} --count 1 --keep DIR`,
    ...text.trimEnd().split('\n').map((line) => `  | ${line}`),
  ].join('\n');
}
