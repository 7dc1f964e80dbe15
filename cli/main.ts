// resnet-studio: the command-line front end. Argument parsing and printing only; the work is in
// the language core and the runtime.

import { closest, didYouMean } from '../language/core/diagnostics';
import { USAGE_ERROR, type CommandSpec } from './args';
import type { CliIo } from './io';
import * as check from './commands/check';
import * as evaluate from './commands/eval';
import * as exportOnnx from './commands/export';
import * as infer from './commands/infer';
import * as summary from './commands/summary';
import * as train from './commands/train';
import { version } from '../package.json';

type Command = { spec: CommandSpec; run(args: string[], io: CliIo): Promise<number> };

const commands: Record<string, Command> = Object.fromEntries(
  [check, summary, exportOnnx, infer, evaluate, train].map((command): [string, Command] => [command.spec.name, { spec: command.spec, run: (args, io) => command.run(args, io) }]),
);

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'usage: resnet-studio <command> [arguments] [options]',
    '',
    ...Object.values(commands).map(({ spec }) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
    '',
    "resnet-studio <command> --help (or resnet-studio help <command>) shows a command's arguments and options; resnet-studio --version, the version.",
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(usage());
    return USAGE_ERROR;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    if (args[0] === undefined) {
      io.stdout(usage());
      return 0;
    }
    return main([args[0], '--help'], io);
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`resnet-studio ${version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`resnet-studio: unknown command '${name}'.${didYouMean(closest(name, Object.keys(commands)))}\n${usage()}`);
    return USAGE_ERROR;
  }
  return command.run(args, io);
}

/** Runs the process's command line and sets its exit code. */
export function runCli(): void {
  const io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
  if (process.stderr.isTTY) io.status = (line) => process.stderr.write(`\r${line}\x1b[K`);
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
