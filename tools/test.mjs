// Runs the test suites: `node tools/test.mjs` runs all, `node tools/test.mjs unit` one suite.
// Unit and protocol tests run on node's test runner (TypeScript through tsx); the end-to-end suite,
// when present, drives a real VS Code (see test/e2e/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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

// The tests' workers share a model cache of their own (engine/runtime/model-cache.ts), not the user's.
const modelCache = mkdtempSync(join(tmpdir(), 'resnet-studio-test-models-'));
process.env.RESNET_STUDIO_MODEL_CACHE ??= modelCache;

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
  // Workspace Trust needs its own VS Code: the same workspace, opened in Restricted Mode. Its artifacts go
  // to their own folder, so the main run's screenshots and logs stay.
  run(process.execPath, ['test/e2e/run.mjs', '--no-build', '--restricted', '--grep', 'restricted', '--results', join('test-results', 'e2e-restricted')]);
}
// The shipped extension: package linux-x64, install the VSIX with VS Code's own installer (code-server
// --install-extension into a temporary extensions folder) and run the smoke suite in VS Code with the
// extension loaded from where it was installed instead of the source tree.
if (wanted('vsix') && process.platform === 'linux' && process.arch === 'x64') {
  const { name, publisher, version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const vsixFile = join('out', 'vsix-test', `${name}-linux-x64-${version}.vsix`);
  const extensionsDir = mkdtempSync(join(tmpdir(), 'resnet-studio-vsix-'));
  const before = failed;
  run(process.execPath, ['tools/package.mjs', '--target', 'linux-x64', '--out', dirname(vsixFile)]);
  try {
    if (failed === before) {
      const { installVsix } = await import('./package/install.mjs');
      const installed = await installVsix(vsixFile, extensionsDir, `${publisher}.${name}`);
      console.log(`installed ${vsixFile} in ${installed}`);
      run(process.execPath, ['test/e2e/run.mjs', '--no-build', '--extension', installed, '--grep', 'smoke-vsix', '--results', join('test-results', 'e2e-vsix')]);
    }
  } catch (error) {
    console.error(error.message);
    failed = true;
  } finally {
    rmSync(extensionsDir, { recursive: true, force: true });
  }
}
rmSync(modelCache, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
