// What both export formats do once their model is loaded: build the file's contents (a CompileError is
// reported at the statement it names) and write them to the output path.
import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CompileError } from '../engine/onnx/build';
import { fileProblem } from '../engine/onnx/file-errors';
import type { LineMap } from '../language/core/positions';
import type { CliIo } from './io';
import { where } from './where';

/** Why `output` cannot be written (a folder, or in a folder that does not exist), checked before any work; undefined when it can. */
export async function outputProblem(output: string): Promise<string | undefined> {
  if ((await stat(output).catch(() => undefined))?.isDirectory()) return `cannot write ${output}: it is a directory`;
  if (!(await stat(dirname(resolve(output))).catch(() => undefined))?.isDirectory()) return `cannot write ${output}: ${dirname(output)} is not an existing folder`;
  return undefined;
}

/** The contents written, or undefined after saying why they could not be made or written. */
export async function writeExport<T extends string | Uint8Array>(file: string, lines: LineMap, output: string, make: () => T | Promise<T>, io: CliIo): Promise<T | undefined> {
  let contents: T;
  try {
    contents = await make();
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    io.stderr(`${error.range ? where(file, lines, error.range) : file}: cannot export: ${error.message}\n`);
    return undefined;
  }
  try {
    await writeFile(output, contents);
  } catch (error) {
    io.stderr(`cannot write ${output}: ${fileProblem(error)}\n`);
    return undefined;
  }
  return contents;
}
