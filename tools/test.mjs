// Runs the test suites: `node tools/test.mjs` runs all, `node tools/test.mjs unit` one suite.
// Unit and protocol tests run on node's test runner (TypeScript through tsx); the end-to-end suite,
// when present, drives a real VS Code (see test/e2e/).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suites = process.argv.slice(2);
const wanted = (name) => suites.length === 0 || suites.includes(name);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return testFiles(path);
    return entry.endsWith('.test.ts') ? [path] : [];
  });
}

let failed = false;
function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}

const nodeSuites = ['unit', 'lsp'].filter(wanted).flatMap((suite) => testFiles(join('test', suite)));
if (nodeSuites.length > 0) {
  run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...nodeSuites.sort()]);
}
if (wanted('e2e') && existsSync('test/e2e/run.mjs')) {
  run(process.execPath, ['test/e2e/run.mjs']);
  // Workspace Trust needs its own VS Code: the same workspace, opened in Restricted Mode.
  run(process.execPath, ['test/e2e/run.mjs', '--no-build', '--restricted', '--grep', 'restricted']);
}
process.exit(failed ? 1 : 0);
