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
}

export const fuzzSeconds = (): number => Number(process.env.FUZZ_SECONDS ?? 5);

/**
 * Runs `once` until the budget is spent. `once` returns a description of the input it tried and
 * throws only for a crash (anything the target must never do); the first crash fails the test with
 * the seed, the execution number and the input.
 */
export async function fuzz(name: string, once: (run: FuzzRun, execution: number) => Promise<void> | void): Promise<FuzzReport> {
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
  while (Date.now() < end) {
    try {
      await once(run, executions);
    } catch (error) {
      console.log(`fuzz ${name}: crash at execution ${executions}, seed ${seed} (FUZZ_SEED=${seed} reproduces it)`);
      assert.fail(`fuzz ${name}, seed ${seed}, execution ${executions}: ${(error as Error).stack ?? String(error)}`);
    }
    executions++;
  }
  const report = { name, seed, seconds, executions, crashes: 0 };
  console.log(`fuzz ${name}: ${executions} executions in ${seconds}s, seed ${seed}, 0 crashes`);
  return report;
}
