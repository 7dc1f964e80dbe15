// The full-size soak: 1,000 inferences in one worker and 10,000 edits through one language server
// (test/unit/hostile/soak.test.ts at SOAK_SCALE=1; CI runs it at 0.1), printing each process's RSS
// after the warm-up and at the end. `node tools/soak.mjs [scale]`; SOAK_TRACE=1 prints RSS as it goes.
import { spawnSync } from 'node:child_process';

const scale = process.argv[2] ?? process.env.SOAK_SCALE ?? '1';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/unit/hostile/soak.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, SOAK_SCALE: scale },
});
process.exit(result.status ?? 1);
