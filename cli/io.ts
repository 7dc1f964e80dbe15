import { readFile, stat } from 'node:fs/promises';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** A status line that replaces the previous one (a terminal's stderr only; '' clears it). */
  status?: (line: string) => void;
}

/** JSON for the CLI's --json output: counts (bigint) are written as exact integers, at any size. */
export function toJson(value: unknown): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? marker + v.toString() : v), 2);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** Larger files are refused before reading: no architecture file is anywhere near this. */
export const maxSourceBytes = 64 * 1024 * 1024;

/** Reads a .resnet file, or says why it cannot (and returns undefined). */
export async function readSource(file: string, io: CliIo): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      io.stderr(`${file}: is a directory, not a .resnet file\n`);
      return undefined;
    }
    // A device or a FIFO would be read without end (/dev/zero) or wait for a writer.
    if (!info.isFile()) {
      io.stderr(`${file}: is not a regular file (a device, pipe or socket), not a .resnet file\n`);
      return undefined;
    }
    if (info.size > maxSourceBytes) {
      io.stderr(`${file}: ${info.size} bytes is more than the ${maxSourceBytes}-byte limit for a .resnet file\n`);
      return undefined;
    }
    const text = await readFile(file, 'utf8');
    // Text has no NUL bytes; an image or a weights file given by mistake would print a diagnostic per byte.
    if (text.includes('\u0000')) {
      io.stderr(`${file}: is a binary file (it holds NUL bytes), not a .resnet file\n`);
      return undefined;
    }
    return text;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}\n`);
    return undefined;
  }
}
