// A differential-test run: generate networks, ask torch in batches (the next batch's python runs
// while this batch is compared), compare, and describe each disagreement so it can be reproduced.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCase, type Verdict } from './compare';
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
  /** Writes each disagreeing case's .resnet, description (.json) and torch's result (.torch.json) here. */
  keep?: string;
  onBatch?: (progress: RunResult) => void;
}

export interface Disagreement {
  case: Case;
  torch: TorchResult;
  differences: string[];
}

/** A network whose logits agree with torch only against float64 (README.md, "What is compared"). */
export interface Conditioned {
  case: Case;
  note: string;
}

export interface RunResult {
  networks: number;
  verdicts: Record<Verdict, number>;
  /** Clips; those with a block of named values (a dataflow stage); of those, the ones both ran. */
  clips: { all: number; dataflow: number; dataflowRan: number };
  disagreements: Disagreement[];
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
    conditioned: [],
    seconds: 0,
  };
  const ask = async (k: number) => {
    const folder = join(scratch, String(k));
    await mkdir(folder);
    return { folder, results: await runTorch(batches[k]!.map((c) => c.description), folder) };
  };
  try {
    let pending = batches.length ? ask(0) : undefined;
    for (let k = 0; k < batches.length; k++) {
      const { folder, results } = await pending!;
      pending = k + 1 < batches.length ? ask(k + 1) : undefined;
      for (const c of batches[k]!) {
        const torch = results.get(c.description.index)!;
        const { verdict, differences, conditioning } = await compareCase(c, torch, folder);
        result.verdicts[verdict]++;
        if (isClip(c.description)) {
          result.clips.all++;
          if (hasDataflow(c.description)) {
            result.clips.dataflow++;
            if (verdict === 'both ran') result.clips.dataflowRan++;
          }
        }
        if (conditioning) result.conditioned.push({ case: c, note: conditioning });
        if (verdict === 'disagree') {
          result.disagreements.push({ case: c, torch, differences });
          if (options.keep) await keep(options.keep, c, torch);
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

async function keep(folder: string, c: Case, torch: TorchResult): Promise<void> {
  await mkdir(folder, { recursive: true });
  const base = join(folder, `seed${c.runSeed}-${c.description.index}`);
  await writeFile(`${base}.resnet`, c.text);
  // A list, as test/oracle/difftest_torch.py reads it.
  await writeFile(`${base}.json`, JSON.stringify([c.description], null, 2));
  await writeFile(`${base}.torch.json`, JSON.stringify(torch, null, 2));
}

export function summary(result: RunResult): string {
  const v = result.verdicts;
  const clips = result.clips;
  return (
    `difftest: ${result.networks} networks, ${result.disagreements.length} disagreements ` +
    `(both ran ${v['both ran']}, both rejected ${v['both rejected']}; ` +
    `${clips.all} clips, ${clips.dataflow} of them with dataflow stages, ${clips.dataflowRan} of those ran; ` +
    `${result.conditioned.length} agreeing only against float64; ${result.seconds.toFixed(1)} s)`
  );
}

export function formatConditioned(c: Conditioned): string {
  const { runSeed, description } = c.case;
  return `≈ seed ${runSeed} index ${description.index}: ${c.note}`;
}

export function formatDisagreement(d: Disagreement): string {
  const { runSeed, description, text } = d.case;
  return [
    `✗ seed ${runSeed} index ${description.index} (generated as ${description.intent})`,
    ...d.differences.map((line) => `  - ${line}`),
    `  reproduce: npm run difftest -- --seed ${runSeed} --start ${description.index} --count 1 --keep DIR`,
    ...text.trimEnd().split('\n').map((line) => `  | ${line}`),
  ].join('\n');
}
