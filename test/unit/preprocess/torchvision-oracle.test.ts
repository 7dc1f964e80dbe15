// Compares preprocessImageFile with torchvision 0.14 + Pillow 9.4 (Debian's /usr/bin/python3) on
// images the oracle script generates: PNG and other lossless input bit for bit, JPEG within 1/255.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { preprocessImage, preprocessImageFile, type PreprocessOptions } from '../../../engine/runtime/preprocess';
import { resizeBilinear, simdKernels } from '../../../engine/runtime/resample';

const PYTHON = '/usr/bin/python3';
const ORACLE = join(__dirname, '..', '..', 'oracle', 'preprocess_reference.py');

interface OracleCase {
  name: string;
  path: string;
  format: string;
  lossy: boolean;
  spec: { resize: number | [number, number] | null; centerCrop: [number, number] | null } & Omit<
    PreprocessOptions,
    'resize' | 'centerCrop'
  >;
  input: [number, number, number];
  original: [number, number];
  seen: string;
  seenShape: [number, number, number];
  tensor: string;
  dims: [number, number, number, number];
}

interface ResampleCase {
  input: string;
  output: string;
  width: number;
  height: number;
  channels: number;
  outWidth: number;
  outHeight: number;
}

interface Manifest {
  versions: Record<string, string>;
  cases: OracleCase[];
  resamples: ResampleCase[];
}

let folder = '';
let manifest: Manifest;

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'preprocess-oracle-'));
  execFileSync(PYTHON, [ORACLE, 'generate', folder], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Manifest;
});

after(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

function optionsOf(oracleCase: OracleCase): PreprocessOptions {
  const { resize, centerCrop, ...rest } = oracleCase.spec;
  return { ...rest, resize: resize ?? undefined, centerCrop: centerCrop ?? undefined };
}

function readFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

test('oracle runs the expected library versions', () => {
  assert.equal(manifest.versions.pillow, '9.4.0');
  assert.match(manifest.versions.torchvision, /^0\.14\./);
  assert.ok(manifest.cases.length > 30, `only ${manifest.cases.length} oracle cases`);
});

test('matches torchvision on every oracle case', async (t) => {
  for (const oracleCase of manifest.cases) {
    await t.test(oracleCase.name, async () => {
      const result = await preprocessImageFile(oracleCase.path, optionsOf(oracleCase), oracleCase.input);
      const [height, width, channels] = oracleCase.seenShape;
      assert.deepEqual(result.dims, oracleCase.dims);
      assert.deepEqual(
        { width: result.seen.width, height: result.seen.height, channels: result.seen.channels },
        { width, height, channels },
      );
      assert.deepEqual(result.original, { width: oracleCase.original[0], height: oracleCase.original[1] });

      const expectedPixels = readFileSync(join(folder, oracleCase.seen));
      const expectedTensor = readFloat32(join(folder, oracleCase.tensor));
      assert.equal(result.seen.pixels.length, expectedPixels.length);
      assert.equal(result.data.length, expectedTensor.length);
      const pixelDiff = maxAbsDiff(result.seen.pixels, expectedPixels);
      if (oracleCase.lossy) {
        assert.ok(pixelDiff <= 1, `uint8 max abs diff ${pixelDiff} > 1`);
        const std = Math.min(...(oracleCase.spec.std.length ? oracleCase.spec.std : [1]));
        const tensorDiff = maxAbsDiff(result.data, expectedTensor);
        assert.ok(tensorDiff <= 1 / 255 / std + 1e-6, `tensor max abs diff ${tensorDiff}`);
      } else {
        assert.equal(pixelDiff, 0, 'uint8 image differs from torchvision');
        assert.deepEqual(result.data, expectedTensor, 'float32 tensor differs from torchvision');
      }
    });
  }
});

test("both resampling kernels match Pillow's bilinear resize on random sizes", () => {
  // The fast path is the one under test here; without SIMD the portable loops would run everywhere.
  assert.ok(simdKernels(), 'WebAssembly SIMD is unavailable in this Node');
  assert.ok(manifest.resamples.length > 50);
  for (const c of manifest.resamples) {
    const pixels = new Uint8Array(readFileSync(join(folder, c.input)));
    const expected = new Uint8Array(readFileSync(join(folder, c.output)));
    const source = { width: c.width, height: c.height, channels: c.channels, pixels };
    for (const kernels of ['fastest', 'portable'] as const) {
      const resized = resizeBilinear(source, c.outWidth, c.outHeight, kernels);
      const label = `${kernels} ${c.width}x${c.height}x${c.channels} → ${c.outWidth}x${c.outHeight}`;
      assert.equal(resized.pixels.length, expected.length, label);
      assert.equal(maxAbsDiff(resized.pixels, expected), 0, label);
    }
  }
});

test("a region of the resize is the same pixels of Pillow's whole resize, in both kernels", () => {
  for (const [index, c] of manifest.resamples.entries()) {
    const pixels = new Uint8Array(readFileSync(join(folder, c.input)));
    const expected = new Uint8Array(readFileSync(join(folder, c.output)));
    const source = { width: c.width, height: c.height, channels: c.channels, pixels };
    // A region of about a third to all of each side, at an offset that varies with the case.
    const width = Math.max(1, Math.ceil((c.outWidth * (1 + (index % 3))) / 3));
    const height = Math.max(1, Math.ceil((c.outHeight * (1 + ((index + 1) % 3))) / 3));
    const region = { left: (index * 7) % (c.outWidth - width + 1), top: (index * 5) % (c.outHeight - height + 1), width, height };
    const rowLength = c.outWidth * c.channels;
    const wanted = new Uint8Array(width * height * c.channels);
    for (let row = 0; row < height; row++) {
      const from = (region.top + row) * rowLength + region.left * c.channels;
      wanted.set(expected.subarray(from, from + width * c.channels), row * width * c.channels);
    }
    for (const kernels of ['fastest', 'portable'] as const) {
      const resized = resizeBilinear(source, c.outWidth, c.outHeight, kernels, region);
      const label = `${kernels} ${c.width}x${c.height}x${c.channels} → ${c.outWidth}x${c.outHeight}, region ${JSON.stringify(region)}`;
      assert.deepEqual([resized.width, resized.height, resized.channels], [width, height, c.channels], label);
      assert.equal(maxAbsDiff(resized.pixels, wanted), 0, label);
    }
  }
});

test('the buffer variant gives the same result as the file variant', async () => {
  const oracleCase = manifest.cases.find((c) => c.path.endsWith('rgb_320x240.png'));
  assert.ok(oracleCase);
  const fromFile = await preprocessImageFile(oracleCase.path, optionsOf(oracleCase), oracleCase.input);
  const fromBytes = await preprocessImage(readFileSync(oracleCase.path), optionsOf(oracleCase), oracleCase.input);
  assert.deepEqual(fromBytes.data, fromFile.data);
  assert.deepEqual(fromBytes.seen, fromFile.seen);
  assert.ok(fromBytes.timings.decodeMs >= 0 && fromBytes.timings.preprocessMs >= 0);
});

test('EXIF orientation is not applied, as in torchvision', async () => {
  const oracleCase = manifest.cases.find((c) => c.path.endsWith('exif_rotated_320x240.jpg'));
  assert.ok(oracleCase);
  const result = await preprocessImageFile(oracleCase.path, { ...optionsOf(oracleCase), centerCrop: undefined }, [
    3, 256, 341,
  ]);
  // Stored 320x240 with orientation 6 (displayed 240x320): the network sees it as stored, landscape.
  assert.deepEqual(result.original, { width: 320, height: 240 });
  assert.deepEqual([result.seen.width, result.seen.height], [341, 256]);
});
