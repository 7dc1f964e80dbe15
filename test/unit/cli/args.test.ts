// The one argument parser (cli/args.ts) as every subcommand uses it: unknown and misspelt options are
// usage errors (exit 2, nothing on stdout) with a did-you-mean, --help prints the command's usage, and
// values are checked before anything is read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../../cli/main';
import * as check from '../../../cli/commands/check';
import * as evaluate from '../../../cli/commands/eval';
import * as exportOnnx from '../../../cli/commands/export';
import * as infer from '../../../cli/commands/infer';
import * as summary from '../../../cli/commands/summary';

const specs = [check.spec, summary.spec, exportOnnx.spec, infer.spec, evaluate.spec];

async function run(...argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await main(argv, { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s) });
  return { code, ...out };
}

/** Arguments a command accepts, so that only the option under test can be wrong. */
const validArgs: Record<string, string[]> = {
  check: ['a.resnet'],
  summary: ['a.resnet'],
  export: ['a.resnet', '-o', 'a.onnx'],
  infer: ['a.resnet', 'a.png'],
  eval: ['a.resnet', 'folder'],
};

test('every subcommand refuses an unknown option before reading anything, with the option it resembles', async () => {
  for (const spec of specs) {
    const r = await run(spec.name, ...validArgs[spec.name]!, '--jsn');
    assert.equal(r.code, 2, spec.name);
    assert.equal(r.stdout, '', spec.name);
    const suggestion = 'json' in spec.options ? " Did you mean '--json'?" : '';
    assert.equal(
      r.stderr,
      `resnet-studio ${spec.name}: unknown option '--jsn'.${suggestion}\n${spec.name === 'export' ? 'usage: resnet-studio export FILE -o FILE [options]' : `usage: resnet-studio ${spec.name} ${spec.args.join(' ')} [options]`}\n(resnet-studio ${spec.name} --help lists the options)\n`,
    );
  }
  assert.match((await run('infer', 'a.resnet', 'a.png', '--wieghts', 'w')).stderr, /unknown option '--wieghts'\. Did you mean '--weights'\?/);
  assert.match((await run('summary', 'a.resnet', '-json')).stderr, /unknown option '-json'\. Did you mean '--json'\?/);
  assert.match((await run('eval', 'a.resnet', 'f', '-j')).stderr, /unknown option '-j'\. Did you mean '--json'\?/);
  assert.match((await run('infer', 'a.resnet', 'a.png', '-x')).stderr, /unknown option '-x'\.\n/);
  assert.match((await run('summary', 'a.resnet', '--toString')).stderr, /unknown option '--toString'\.\n/);
});

test('--help and -h on every subcommand print its usage and every option, and exit 0', async () => {
  for (const spec of specs) {
    for (const flag of ['--help', '-h']) {
      const r = await run(spec.name, flag);
      assert.deepEqual([r.code, r.stderr], [0, ''], spec.name);
      assert.ok(r.stdout.startsWith(`usage: resnet-studio ${spec.name} ${spec.args.join(' ')}`), r.stdout);
      for (const name of Object.keys(spec.options)) assert.match(r.stdout, new RegExp(`^  (-\\w, )?--${name}\\b.*\\S`, 'm'), `${spec.name} --${name}`);
      assert.match(r.stdout, /^ {2}-h, --help +print this help$/m);
    }
    // --help wins over anything else on the line, even a bad option.
    assert.equal((await run(spec.name, '--bogus', '--help')).code, 0);
    assert.deepEqual(await run('help', spec.name), await run(spec.name, '--help'));
  }
});

test('resnet-studio --help lists the commands; help of an unknown command is a usage error', async () => {
  const r = await run('--help');
  assert.equal(r.code, 0);
  for (const spec of specs) assert.match(r.stdout, new RegExp(`^  ${spec.name} +${spec.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
  assert.deepEqual(await run('-h'), r);
  assert.deepEqual(await run('help'), r);
  const unknown = await run('help', 'evl');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'evl'\. Did you mean 'eval'\?/);
});

test('option values and arguments are checked, each with its own message', async () => {
  const cases: [string[], string][] = [
    [['infer', 'a.resnet', 'a.png', '--weights'], '--weights needs a value (--weights W)'],
    [['infer', 'a.resnet', 'a.png', '--weights='], '--weights needs a value (--weights W)'],
    [['infer', 'a.resnet', 'a.png', '--weights', '--json'], "--weights needs a value (--weights W), not the option '--json'"],
    [['infer', 'a.resnet', 'a.png', '--json=yes'], '--json takes no value'],
    [['infer', 'a.resnet', 'a.png', '--top', '3', '--top', '4'], '--top is given twice'],
    [['infer', 'a.resnet', 'a.png', '--top', '0'], "--top needs a positive integer, not '0'"],
    [['infer', 'a.resnet', 'a.png', '--top=2.5'], "--top needs a positive integer, not '2.5'"],
    [['infer', 'a.resnet', 'a.png', '--random-weights', '--seed=-1'], "--seed needs a non-negative integer, not '-1'"],
    [['infer', 'a.resnet', 'a.png', '--seed', '3'], '--seed is the seed of --random-weights, which is not given'],
    [['infer', 'a.resnet', 'a.png', '--ep', 'gpu'], "--ep must be one of auto, cuda, tensorrt, dml, coreml, webgpu, cpu, not 'gpu'"],
    [['infer', 'a.resnet', 'a.png', '--weights', 'w', '--random-weights'], '--weights and --random-weights exclude each other'],
    [['infer', 'a.resnet'], 'missing IMAGE...'],
    [['eval', 'a.resnet', 'f', '--batch', '0'], "--batch needs a positive integer, not '0'"],
    [['eval', 'a.resnet', 'f', '--batch', '1025'], '--batch is at most 1024, not 1025'],
    [['eval', 'a.resnet'], 'missing FOLDER'],
    [['eval', 'a.resnet', 'f', 'g'], "unexpected argument 'g'"],
    [['summary'], 'missing FILE'],
    [['check'], 'missing FILE...'],
    [['export', 'a.resnet'], 'missing -o FILE (the file to write: model.onnx, or model.py with --format pytorch)'],
  ];
  for (const [argv, message] of cases) {
    const r = await run(...argv);
    assert.deepEqual([r.code, r.stdout], [2, ''], argv.join(' '));
    assert.equal(r.stderr.split('\n')[0], `resnet-studio ${argv[0]}: ${message}`);
  }
});

test('after --, an argument that looks like an option is a file name', async () => {
  const r = await run('summary', '--', '--json');
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', '--json: no such file\n']);
});
