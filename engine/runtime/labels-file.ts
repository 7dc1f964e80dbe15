// Reads a `labels` file (one class name a line) without trusting the path: a directory, a device
// such as /dev/zero, a FIFO or a huge file each give one clear message instead of a hang or an
// allocation as large as the file claims to be.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileProblem } from '../onnx/file-errors';
import { parseLabels } from './classes';

/** 16 MiB: ImageNet-21k's 21,843 class names take under 1 MiB. */
export const MAX_LABELS_BYTES = 16 * 1024 * 1024;

export class LabelsFileError extends Error {
  override name = 'LabelsFileError';
}

export async function readLabelsFile(path: string): Promise<string[]> {
  const fail = (why: string): never => {
    throw new LabelsFileError(`cannot read labels file ${path}: ${why}`);
  };
  const info = await stat(path).catch((error: unknown) => fail(fileProblem(error)));
  if (info.isDirectory()) fail('it is a directory');
  if (!info.isFile()) fail('it is not a regular file');
  if (info.size > MAX_LABELS_BYTES) fail(`it is ${(info.size / 1024 / 1024).toFixed(1)} MiB, more than the ${MAX_LABELS_BYTES / 1024 / 1024} MiB a labels file may be`);
  // O_NONBLOCK: if a FIFO replaced the file since the stat, opening it does not wait for a writer.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: unknown) => fail(fileProblem(error)));
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) fail('it is not a regular file');
    const bytes = Buffer.alloc(Math.min(opened.size, MAX_LABELS_BYTES));
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, done));
    } catch {
      return fail('it is not UTF-8 text (a labels file is one class name a line)');
    }
    if (text.includes('\u0000')) fail('it holds NUL bytes: a binary file, not one class name a line');
    return parseLabels(text);
  } finally {
    await handle.close();
  }
}
