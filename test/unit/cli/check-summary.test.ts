// The command line as a user runs it: exit codes, the text format, and the JSON shapes.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../examples';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/main.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'resnet-cli-'));
const broken = join(dir, 'broken.resnet');
writeFileSync(broken, 'network n {\n  input 3x32x32\n  conv1 conv(16, kernal=3)\n  bn1 batchnorm\n  pool maxpool(kernel=2)\n}\n');

test('check: clean files exit 0 and print nothing', () => {
  const r = cli('check', 'examples/resnet50.resnet', 'examples/fashion-mnist/resnet20.resnet');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
});

test('check: errors print file:line:col: severity code message and exit 1', () => {
  const r = cli('check', broken);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, `${broken}:3:18: error RS0102 'conv' has no parameter 'kernal'. Did you mean 'kernel'?\n`);
});

test('check --json offers only the fixes that work, the one at the cause first', () => {
  const r = cli('check', '--json', 'test/fixtures/diagnostics/fix_forgotten_expansion.resnet', 'test/fixtures/diagnostics/unknown_stays_unknown.resnet', 'test/fixtures/diagnostics/fix_missing_padding.resnet');
  const records = JSON.parse(r.stdout) as { file: string; code: string; fixes: { title: string }[] }[];
  const titles = (file: string, code: string) => records.filter((x) => x.file.includes(file) && x.code === code).map((x) => x.fixes.map((f) => f.title));
  // At the classifier: conv3's forgotten '* expansion', not "Change in to 64".
  assert.deepEqual(titles('fix_forgotten_expansion', 'RS0506'), [["Multiply 'conv3' by the block's expansion: planes * expansion"]]);
  // The padding that keeps the size, on the block line and at the call; no projection, which could not fix it.
  assert.deepEqual(titles('fix_missing_padding', 'RS0502'), [["Pad 'conv2' with padding=1 so it keeps the size"], ["Pad 'conv2' with padding=1 so it keeps the size"], ["Pad 'conv2' with padding=1 so it keeps the size"]]);
  // A spelling fix that uncovers a hidden error elsewhere is still offered.
  assert.deepEqual(titles('unknown_stays_unknown', 'RS0101'), [["Change to 'conv'"]]);
});

test('check --json: zero-based LSP ranges, related locations and quick fixes', () => {
  const r = cli('check', '--json', broken, 'test/fixtures/diagnostics/add_spatial_mismatch.resnet');
  assert.equal(r.code, 1);
  const records = JSON.parse(r.stdout);
  assert.deepEqual(records[0], {
    file: broken,
    code: 'RS0102',
    severity: 'error',
    message: "'conv' has no parameter 'kernal'. Did you mean 'kernel'?",
    range: { start: { line: 2, character: 17 }, end: { line: 2, character: 23 } },
    related: [],
    fixes: [{ title: "Change to 'kernel'", edits: [{ range: { start: { line: 2, character: 17 }, end: { line: 2, character: 23 } }, newText: 'kernel' }] }],
  });
  // The call's report (the block line's comes first, in file order).
  const add = records.find((x: { code: string; range: { start: { line: number } } }) => x.code === 'RS0502' && x.range.start.line === 15);
  assert.equal(add.related[0].file, 'test/fixtures/diagnostics/add_spatial_mismatch.resnet');
  assert.deepEqual(add.related[0].range.start, { line: 7, character: 2 });
  assert.deepEqual(add.fixes, [{ title: "Use '+ shortcut' (a 1×1 conv + BN where the shape changes)", edits: [{ range: { start: { line: 7, character: 4 }, end: { line: 7, character: 12 } }, newText: 'shortcut' }] }]);
});

test('check: a missing file is a clear message', () => {
  const r = cli('check', join(dir, 'nope.resnet'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nope\.resnet: no such file/);
});

test('check and summary refuse what is not a text file instead of reading it without end or flooding the output', () => {
  const binary = join(dir, 'weights.resnet');
  writeFileSync(binary, Buffer.from([0x08, 0x00, 0x12, 0x04, 0x6e, 0x65, 0x74, 0x00]));
  const fifo = join(dir, 'pipe.resnet');
  execFileSync('mkfifo', [fifo]);
  const cases: [string, string][] = [
    ['/dev/zero', '/dev/zero: is not a regular file (a device, pipe or socket), not a .resnet file\n'],
    [fifo, `${fifo}: is not a regular file (a device, pipe or socket), not a .resnet file\n`],
    [binary, `${binary}: is a binary file (it holds NUL bytes), not a .resnet file\n`],
  ];
  for (const [file, message] of cases) {
    for (const command of ['check', 'summary']) {
      const r = cli(command, file);
      assert.equal(r.code, 1, `${command} ${file}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, message);
    }
  }
});

test('summary --json: network, input, totals and dotted torchvision names', () => {
  const r = cli('summary', '--json', 'examples/resnet18.resnet');
  assert.equal(r.code, 0);
  const s = JSON.parse(r.stdout);
  assert.equal(s.network, 'resnet18');
  assert.deepEqual(s.input, [1, 3, 224, 224]);
  assert.equal(s.params, 11_689_512);
  assert.equal(s.macs, 1_814_073_344);
  const downsample = s.layers.find((l: { name: string }) => l.name === 'layer2.0.downsample.0');
  assert.deepEqual(downsample, { name: 'layer2.0.downsample.0', type: 'conv', outputShape: [1, 128, 28, 28], params: 8192, macs: 6_422_528 });
  assert.deepEqual(s.layers.at(-1), { name: 'fc', type: 'linear', outputShape: [1, 1000], params: 513_000, macs: 512_000 });
});

test('summary of a broken file shows what is known and exits 1', () => {
  const r = cli('summary', broken);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /conv1 +conv +\? /);
  assert.match(r.stdout, /1 error: run 'resnet-studio check/);
});

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) assert.deepEqual(cli(flag), { code: 0, stdout: `resnet-studio ${version}\n`, stderr: '' });
});

test('unknown command and no arguments print usage and exit 2', () => {
  const unknown = cli('sumary');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^resnet-studio: unknown command 'sumary'\. Did you mean 'summary'\?\nusage: resnet-studio <command>/);
  const none = cli();
  assert.deepEqual([none.code, none.stdout], [2, '']);
  assert.match(none.stderr, /usage: resnet-studio <command>/);
});

test('summary --jsn is a usage error: no table, exit 2', () => {
  const r = cli('summary', '--jsn', 'examples/resnet18.resnet');
  assert.deepEqual([r.code, r.stdout], [2, '']);
  assert.match(r.stderr, /^resnet-studio summary: unknown option '--jsn'\. Did you mean '--json'\?\nusage: resnet-studio summary FILE \[options\]\n/);
});

test('summary: params and MACs past 2^53 are exact in the text and the JSON', () => {
  const huge = join(dir, 'huge.resnet');
  writeFileSync(huge, 'network huge {\n  input 65535x4097x4097\n  c conv(1048575, padding=1)\n}\n');
  // 1048575 × 65535 × 3 × 3 weights; each of the 1048575 × 4097 × 4097 outputs costs 65535 × 9 MACs.
  const params = '618465263625';
  const macs = '10381192402238447625';
  const json = cli('summary', '--json', huge);
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stdout, new RegExp(`"params": ${params},`));
  assert.match(json.stdout, new RegExp(`"macs": ${macs}\\b`));
  const text = cli('summary', huge);
  assert.match(text.stdout, new RegExp(`Total params: ${Number(params).toLocaleString('en-US')}`));
  assert.match(text.stdout, new RegExp(`Total MACs: +${BigInt(macs).toLocaleString('en-US')}`));
});
