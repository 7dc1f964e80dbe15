// What both export formats do once their model is loaded: build the file's contents (a CompileError is
// reported at the statement it names) and write them to the output path.
import { writeFile } from 'node:fs/promises';
import { CompileError } from '../engine/onnx/build';
import type { LineMap } from '../language/core/positions';
import type { CliIo } from './io';
import { where } from './where';

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
    io.stderr(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return undefined;
  }
  return contents;
}
