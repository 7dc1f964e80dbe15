// A long fuzzing run: both mutation fuzzers (the parser/analyzer and the safetensors reader) for
// FUZZ_SECONDS each (default here 300; CI runs them for 5). `node tools/fuzz.mjs [seconds]`;
// FUZZ_SEED=n repeats a run. Each prints its executions, seed and crashes.
import { spawnSync } from 'node:child_process';

const seconds = process.argv[2] ?? process.env.FUZZ_SECONDS ?? '300';
const files = ['test/unit/hostile/fuzz-analyze.test.ts', 'test/unit/hostile/fuzz-safetensors.test.ts'];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SECONDS: seconds },
});
process.exit(result.status ?? 1);
