// Runs the bundled e2e suites in desktop VS Code through @vscode/test-electron, for machines that can
// download VS Code (and, on Linux without a display, run under xvfb-run). There is no browser here, so
// `screenshot()` in the suites logs a skip; results print through the extension host's console.
// Started by `node test/e2e/run.mjs --desktop` in its own process group, which the runner kills on
// timeout: runTests itself has no timeout.
import { runTests } from '@vscode/test-electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { extensionDir, testsIndex, workspace, grep, version, vscodeExecutablePath, cachePath } = JSON.parse(process.argv[2]);
const stateDir = mkdtempSync(join(tmpdir(), 'resnet-studio-desktop-'));
let exitCode = 1;
try {
  exitCode = await runTests({
    version,
    vscodeExecutablePath,
    cachePath,
    extensionDevelopmentPath: extensionDir,
    extensionTestsPath: testsIndex,
    extensionTestsEnv: grep ? { RESNET_E2E_GREP: grep } : {},
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-gpu',
      `--user-data-dir=${join(stateDir, 'user-data')}`,
      `--extensions-dir=${join(stateDir, 'extensions')}`,
    ],
  });
} catch (error) {
  console.error(`[e2e desktop] ${error instanceof Error ? error.message : error}`);
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(exitCode);
