// bin/resnet-studio.js before `npm run build`: what to run instead of a stack trace. Run on a copy, so
// the working tree's dist/ (built or not) does not matter.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../examples';

const root = mkdtempSync(join(tmpdir(), 'resnet-studio-bin-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'bin'));
copyFileSync(join(repoRoot, 'bin/resnet-studio.js'), join(root, 'bin/resnet-studio.js'));
const bin = () => spawnSync(process.execPath, [join(root, 'bin/resnet-studio.js'), 'summary', 'x.resnet'], { encoding: 'utf8' });

test('without dist/cli.js it says to run npm run build, and where', () => {
  const r = bin();
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `resnet-studio: ${join(root, 'dist', 'cli.js')} is not built yet: run \`npm run build\` in ${root} first\n`);
});

test('with dist/cli.js it runs it with the arguments', () => {
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist/cli.js'), 'exports.runCli = () => console.log(process.argv.slice(2).join(" "));\n');
  const r = bin();
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, 'summary x.resnet\n', '']);
});
