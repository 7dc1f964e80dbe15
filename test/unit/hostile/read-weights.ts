// Reads a whole safetensors file the way the worker does (header, then each tensor), as one line: its
// tensors, or its one error. Anything thrown that is not the reader's own clear error fails the caller.
import assert from 'node:assert/strict';
import { SafetensorsError, SafetensorsFile } from '../../../engine/onnx/safetensors';

export async function readAll(path: string): Promise<string> {
  let file: SafetensorsFile;
  try {
    file = await SafetensorsFile.open(path);
  } catch (error) {
    assert.ok(error instanceof SafetensorsError || /^cannot open weights file/.test((error as Error).message), `one clear error, got ${(error as Error).stack ?? String(error)}`);
    return `error: ${(error as Error).message}`;
  }
  try {
    const read: string[] = [];
    for (const [key, entry] of file.header.tensors) {
      let bytes: Uint8Array;
      try {
        bytes = await file.readBytes(key);
      } catch (error) {
        assert.ok(error instanceof SafetensorsError, `one clear error, got ${(error as Error).stack ?? String(error)}`);
        return `error: ${error.message}`;
      }
      read.push(`${key} ${entry.dtype} [${entry.shape.join(', ')}] ${bytes.length} bytes`);
    }
    return `ok: ${read.join('; ') || 'no tensors'}`;
  } finally {
    await file.close();
  }
}
