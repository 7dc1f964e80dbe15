// What the mutation fuzzers share: the time budget (FUZZ_SECONDS, default 5: CI's short budget; a
// long local run sets more), the seed (FUZZ_SEED, default a fresh one, always printed so a failure is
// reproducible), and the report line: executions and crashes.
import assert from 'node:assert/strict';
import { seeded } from './catalogue';

export interface FuzzRun {
  seed: number;
  random: () => number;
  pick<T>(items: readonly T[]): T;
  /** A whole number in [0, below). */
  below(below: number): number;
}

export interface FuzzReport {
  name: string;
  seed: number;
  seconds: number;
  executions: number;
  crashes: number;
  /** How many executions ended in each outcome `once` named (e.g. read, refused). */
  outcomes: Record<string, number>;
}

export const fuzzSeconds = (): number => Number(process.env.FUZZ_SECONDS ?? 5);

/**
 * Runs `once` until the budget is spent. `once` may name the outcome of its input (counted in the
 * report) and throws only for a crash (anything the target must never do); the first crash fails the test with
 * the seed, the execution number and the input.
 */
export async function fuzz(name: string, once: (run: FuzzRun, execution: number) => Promise<string | void> | string | void): Promise<FuzzReport> {
  const seconds = fuzzSeconds();
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  const random = seeded(seed);
  const run: FuzzRun = {
    seed,
    random,
    pick: (items) => items[Math.floor(random() * items.length)]!,
    below: (n) => Math.floor(random() * n),
  };
  const end = Date.now() + seconds * 1000;
  let executions = 0;
  const outcomes: Record<string, number> = {};
  while (Date.now() < end) {
    try {
      const outcome = await once(run, executions);
      if (outcome) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      console.log(`fuzz ${name}: crash at execution ${executions}, seed ${seed} (FUZZ_SEED=${seed} reproduces it)`);
      assert.fail(`fuzz ${name}, seed ${seed}, execution ${executions}: ${(error as Error).stack ?? String(error)}`);
    }
    executions++;
  }
  const report = { name, seed, seconds, executions, crashes: 0, outcomes };
  const tally = Object.entries(outcomes).map(([k, n]) => `${n} ${k}`).join(', ');
  console.log(`fuzz ${name}: ${executions} executions in ${seconds}s, seed ${seed}, 0 crashes${tally ? ` (${tally})` : ''}`);
  return report;
}
