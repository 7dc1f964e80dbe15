// resnet-studio: the command-line front end. Argument parsing and printing only; the work is in
// the language core and the runtime.

import type { CliIo } from './io';
import * as check from './commands/check';
import * as evaluate from './commands/eval';
import * as exportOnnx from './commands/export';
import * as infer from './commands/infer';
import * as summary from './commands/summary';
import * as train from './commands/train';

type Command = { run(args: string[], io: CliIo): Promise<number>; usage: string };

const commands: Record<string, Command> = {
  check: { run: check.run, usage: 'check FILE... [--json]            diagnostics (exit 1 on any error)' },
  summary: { run: summary.run, usage: 'summary FILE [--json]             per-layer shapes, params and MACs' },
  export: { run: exportOnnx.run, usage: 'export FILE -o model.onnx [--weights W | --random-weights] | --format pytorch -o model.py' },
  infer: { run: (args, io) => infer.run(args, io), usage: 'infer FILE IMAGE... [--weights W] [--ep auto|cuda|tensorrt|dml|coreml|webgpu|cpu] [--top 5] [--json]' },
  eval: { run: (args, io) => evaluate.run(args, io), usage: 'eval FILE FOLDER [--weights W] [--ep …] [--json]   accuracy on a labelled folder' },
  train: { run: train.run, usage: 'train FILE DATA [--epochs N] [--from W|none] [--out W] [--nproc N] …   train with PyTorch (train --help)' },
};

function usage(): string {
  return ['usage: resnet-studio <command> [options]', '', ...Object.values(commands).map((c) => '  ' + c.usage), ''].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`resnet-studio: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  return command.run(args, io);
}

/** Runs the process's command line and sets its exit code. */
export function runCli(): void {
  const io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`resnet-studio: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 3;
    },
  );
}

if (require.main === module) runCli();
