// Installs a VSIX the way VS Code does: the cached code-server's `--install-extension` (VS Code's own
// extension management: manifest checks, extraction) into a given extensions folder. Returns the
// folder the extension was installed in, as extensions.json records it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer } from '../code-server.mjs';

export async function installVsix(vsixFile, extensionsDir, extensionId) {
  const { node, entry } = await ensureCodeServer();
  mkdirSync(extensionsDir, { recursive: true });
  const install = spawnSync(node, [entry, '--install-extension', vsixFile, '--extensions-dir', extensionsDir, '--user-data-dir', join(extensionsDir, '.user-data')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${install.stdout}${install.stderr}`.trim();
  if (install.status !== 0 || !/successfully installed/.test(output)) throw new Error(`installing ${vsixFile} failed: ${output}`);
  const installed = JSON.parse(readFileSync(join(extensionsDir, 'extensions.json'), 'utf8')).find((e) => e.identifier.id === extensionId);
  if (!installed) throw new Error(`${extensionId} is not in ${extensionsDir}/extensions.json after installing ${vsixFile}`);
  return installed.location.fsPath ?? installed.location.path;
}
