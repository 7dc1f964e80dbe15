// Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) as PNG files named
// NNNNN_<class>.png, the flat labelled layout `eval` reads, for the deploy tests and benchmark.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';

export const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

function idx(name: string): Uint8Array {
  const bytes = gunzipSync(readFileSync(join(FASHION_MNIST, name)));
  return bytes.subarray(4 + 4 * bytes[3]!);
}

/** Writes images `from` … `from + count − 1` of a split (all when count is undefined) into `folder`; returns how many. */
export async function writeFashionMnist(split: 'train' | 't10k', folder: string, count?: number, from = 0): Promise<number> {
  const images = idx(`${split}-images-idx3-ubyte.gz`);
  const labels = idx(`${split}-labels-idx1-ubyte.gz`);
  const end = Math.min(labels.length, count === undefined ? labels.length : from + count);
  mkdirSync(folder, { recursive: true });
  for (let start = from; start < end; start += 256) {
    const writes: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(end, start + 256); i++) {
      const path = join(folder, `${String(i).padStart(5, '0')}_${labels[i]}.png`);
      writes.push(sharp(Buffer.from(images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path));
    }
    await Promise.all(writes);
  }
  return end - from;
}
