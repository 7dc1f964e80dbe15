// The one argument parser of every subcommand. node:util's parseArgs splits the command line into
// tokens; this file checks them against what the command declares, so that everywhere an unknown or
// misspelt option is an error naming the option it resembles, `-h`/`--help` prints the command's
// usage, and a usage error exits 2.
import { parseArgs } from 'node:util';
import { closest, didYouMean } from '../language/core/diagnostics';
import type { CliIo } from './io';

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** A string option's placeholder in the usage, e.g. 'FILE'. */
  value?: string;
  /** The command needs it; the usage line shows it. */
  required?: boolean;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** The positional arguments in order, as the usage names them; a last one ending in '...' takes one or more. */
  args: readonly string[];
  /** One line: what the command does. */
  summary: string;
  options: O;
}

export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface ParsedCommand<O extends OptionSpecs> {
  args: string[];
  options: OptionValues<O>;
}

export const USAGE_ERROR = 2;

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help' };

const flag = (name: string, option: OptionSpec) => `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`;

/** A required option as the usage line shows it: `-o FILE`. */
const synopsis = (name: string, option: OptionSpec) => (option.short ? `-${option.short}` : `--${name}`) + (option.value ? ` ${option.value}` : '');

function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.options).filter(([, option]) => option.required);
  return ['usage: resnet-studio', spec.name, ...spec.args, ...required.map(([name, option]) => synopsis(name, option)), '[options]'].join(' ');
}

function helpText(spec: CommandSpec): string {
  const options = Object.entries({ ...spec.options, help: HELP }).map(([name, option]) => [flag(name, option), option.help] as const);
  const width = Math.max(...options.map(([left]) => left.length));
  return [usageLine(spec), '', spec.summary, '', 'options:', ...options.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`), ''].join('\n');
}

/** Prints a usage error with the command's usage line; returns the exit code. */
export function usageError(spec: CommandSpec, message: string, io: CliIo): number {
  io.stderr(`resnet-studio ${spec.name}: ${message}\n${usageLine(spec)}\n(resnet-studio ${spec.name} --help lists the options)\n`);
  return USAGE_ERROR;
}

/** Why `arg` is not an option of the command, with the option it most resembles. */
function unknownOption(spec: CommandSpec, arg: string): string {
  const long = Object.keys({ ...spec.options, help: HELP });
  let suggestion: string | undefined;
  if (arg.startsWith('--')) {
    suggestion = closest(arg, long.map((name) => `--${name}`));
  } else if (long.includes(arg.slice(1))) {
    suggestion = `-${arg}`;
  } else {
    const starting = long.filter((name) => name.startsWith(arg.slice(1, 2)));
    if (starting.length === 1) suggestion = `--${starting[0]}`;
  }
  return `unknown option '${arg}'.${didYouMean(suggestion)}`;
}

/**
 * The command line checked against the command's options and arguments, or the exit code after
 * printing its help (0) or a usage error (2).
 */
export function parseCommand<O extends OptionSpecs>(spec: CommandSpec<O>, argv: string[], io: CliIo): ParsedCommand<O> | number {
  const declared: OptionSpecs = { ...spec.options, help: HELP };
  const terminator = argv.indexOf('--');
  const beforeTerminator = terminator < 0 ? argv : argv.slice(0, terminator);
  if (beforeTerminator.some((arg) => arg === '--help' || arg === '-h')) {
    io.stdout(helpText(spec));
    return 0;
  }
  // `-json` would otherwise read as the short options -j -s -o -n.
  const singleDash = beforeTerminator.find((arg) => /^-[^-]{2,}$/.test(arg) && Object.hasOwn(declared, arg.slice(1)));
  if (singleDash) return usageError(spec, unknownOption(spec, singleDash), io);

  const { tokens } = parseArgs({ args: argv, options: declared, strict: false, allowPositionals: true, tokens: true });
  const args: string[] = [];
  const options: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind === 'positional') {
      args.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const option = Object.hasOwn(declared, token.name) ? declared[token.name] : undefined;
    if (!option) return usageError(spec, unknownOption(spec, token.rawName), io);
    if (Object.hasOwn(options, token.name)) return usageError(spec, `${token.rawName} is given twice`, io);
    if (option.type === 'boolean') {
      if (token.inlineValue) return usageError(spec, `${token.rawName} takes no value`, io);
      options[token.name] = true;
    } else if (!token.value || (!token.inlineValue && token.value.startsWith('-'))) {
      return usageError(spec, `${token.rawName} needs a value (${token.rawName} ${option.value ?? 'VALUE'})${token.value ? `, not the option '${token.value}'` : ''}`, io);
    } else {
      options[token.name] = token.value;
    }
  }

  const missing = Object.entries(spec.options).find(([name, option]) => option.required && !Object.hasOwn(options, name));
  if (missing) return usageError(spec, `missing ${synopsis(...missing)} (${missing[1].help})`, io);
  const variadic = spec.args.at(-1)?.endsWith('...') ?? false;
  if (args.length < spec.args.length) return usageError(spec, `missing ${spec.args.slice(args.length).join(' ')}`, io);
  if (args.length > spec.args.length && !variadic) return usageError(spec, `unexpected argument '${args[spec.args.length]}'`, io);
  return { args, options: options as OptionValues<O> };
}
