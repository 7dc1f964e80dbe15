// The extension-host side of the e2e run: VS Code loads this bundle as `extensionTestsPath` and calls
// `run()`; its outcome becomes the extension host's exit code, which reaches the runner through
// `codeAutomationExit` (code-server) or as the process status (@vscode/test-electron).
import Mocha from 'mocha';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ForwardingReporter, reportsDelivered } from './reporter';

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: Number(process.env.RESNET_E2E_TEST_TIMEOUT_MS ?? 60_000),
    reporter: ForwardingReporter,
  });
  if (process.env.RESNET_E2E_GREP) mocha.grep(process.env.RESNET_E2E_GREP);
  // The suites are bundled one file each next to this bundle (test/e2e/harness/bundle.mjs).
  const suiteDir = join(__dirname, 'suite');
  const files = existsSync(suiteDir) ? readdirSync(suiteDir).filter((file) => file.endsWith('.test.js')).sort() : [];
  if (files.length === 0) throw new Error(`no e2e suites in ${suiteDir}`);
  for (const file of files) mocha.addFile(join(suiteDir, file));
  let passes = 0;
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => passes++);
  });
  await reportsDelivered();
  if (failures > 0) throw new Error(`${failures} e2e test(s) failed`);
  if (passes === 0) throw new Error('no e2e test passed (none matched, or all were skipped)');
}
