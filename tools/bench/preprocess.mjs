// Benchmark: a 12 MP JPEG and a 500×375 one (the warm path's) through our ImageNet preprocessing (sharp
// decode + TypeScript Pillow-exact resampling) against PIL + torchvision transforms (Debian's
// /usr/bin/python3) in the same run. Runs alternate between the two so that load from other processes
// hits both alike. Prints numbers only; it never fails on speed. Usage: node tools/bench/preprocess.mjs [runs]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const PYTHON = '/usr/bin/python3';
const ORACLE = fileURLToPath(new URL('../../test/oracle/preprocess_reference.py', import.meta.url));
const runs = Number(process.argv[2] ?? 9);
const INPUT = [3, 224, 224];

const { preprocessImageFile, imagenetPreprocess, resizedSize, cropOrigin } = await tsImport('../../engine/runtime/preprocess.ts', import.meta.url);
const { decodeImageFile } = await tsImport('../../engine/runtime/decode.ts', import.meta.url);
const { resizeBilinear } = await tsImport('../../engine/runtime/resample.ts', import.meta.url);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => `${value.toFixed(1).padStart(6)} ms`;

/** One PIL + torchvision run per request, answered with a JSON line of timings. */
function startPython(photo, folder) {
  const child = spawn(PYTHON, [ORACLE, 'bench', photo, folder], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run() {
      child.stdin.write('run\n');
      const { value, done } = await lines.next();
      if (done) throw new Error('the python benchmark process ended early');
      return JSON.parse(value);
    },
    async finish() {
      child.stdin.end();
      const [code] = await once(child, 'exit');
      if (code !== 0) throw new Error(`the python benchmark process exited with ${code}`);
    },
  };
}

async function ourRun(photo) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = await preprocessImageFile(photo, imagenetPreprocess, INPUT);
  const used = process.cpuUsage(cpu);
  return { result, totalMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1e3 };
}

/** Our pipeline against PIL's on one photo-like JPEG, then the resampling alone, and the bit-exactness. */
async function benchPhoto(folder, width, height) {
  const photo = join(folder, `photo-${width}x${height}.jpg`);
  const out = join(folder, `${width}x${height}`);
  execFileSync(PYTHON, [ORACLE, 'photo', photo, `${width}x${height}`]);
  const python = startPython(photo, out);

  // One warm-up run each (JIT, first library loads), then alternating measured runs.
  await ourRun(photo);
  await python.run();
  const ours = [];
  const pil = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await ourRun(photo));
    pil.push(await python.run());
  }
  await python.finish();

  // The resize as the pipeline runs it: only the 224×224 the center crop keeps of the resized image.
  const decoded = await decodeImageFile(photo);
  const [resizedHeight, resizedWidth] = resizedSize(decoded.height, decoded.width, 256);
  const region = { ...cropOrigin(resizedHeight, resizedWidth, 224, 224), width: 224, height: 224 };
  const resample = { wall: [], cpu: [], portableWall: [], portableCpu: [] };
  for (let i = 0; i < runs; i++) {
    for (const kernels of ['fastest', 'portable']) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      resizeBilinear(decoded, resizedWidth, resizedHeight, kernels, region);
      const used = process.cpuUsage(cpu);
      const portable = kernels === 'portable';
      resample[portable ? 'portableWall' : 'wall'].push(performance.now() - started);
      resample[portable ? 'portableCpu' : 'cpu'].push((used.user + used.system) / 1e3);
    }
  }

  const result = ours[ours.length - 1].result;
  const expectedPixels = readFileSync(join(out, 'bench.u8'));
  const tensorBytes = readFileSync(join(out, 'bench.f32'));
  const expectedTensor = new Float32Array(tensorBytes.buffer, tensorBytes.byteOffset, tensorBytes.length / 4);
  const sameSize = expectedPixels.length === result.seen.pixels.length && expectedTensor.length === result.data.length;
  let pixelDiff = 0;
  for (let i = 0; i < expectedPixels.length; i++) {
    pixelDiff = Math.max(pixelDiff, Math.abs(expectedPixels[i] - result.seen.pixels[i]));
  }
  let tensorDiff = 0;
  for (let i = 0; i < expectedTensor.length; i++) {
    tensorDiff = Math.max(tensorDiff, Math.abs(expectedTensor[i] - result.data[i]));
  }

  const oursTotal = median(ours.map((r) => r.totalMs));
  const pilTotal = median(pil.map((r) => r.totalMs));
  const oursCpu = median(ours.map((r) => r.cpuMs));
  const pilCpu = median(pil.map((r) => r.cpuMs));
  console.log(`${(width * height / 1e6).toPrecision(2)} MP JPEG (${width}x${height}) → ImageNet tensor 1x3x224x224, median of ${runs} alternating runs`);
  console.log(
    `  ours (sharp + TS)    wall ${ms(oursTotal)}  cpu ${ms(oursCpu)}  ` +
      `decode ${ms(median(ours.map((r) => r.result.timings.decodeMs)))}  ` +
      `preprocess ${ms(median(ours.map((r) => r.result.timings.preprocessMs)))}`,
  );
  const resizing = `${width}x${height} → the 224x224 of ${resizedWidth}x${resizedHeight} the crop keeps, RGB`;
  console.log(`    resample alone     wall ${ms(median(resample.wall))}  cpu ${ms(median(resample.cpu))}  (${resizing}; WebAssembly SIMD kernels)`);
  console.log(
    `    portable resample  wall ${ms(median(resample.portableWall))}  cpu ${ms(median(resample.portableCpu))}  ` +
      `(TypeScript loops only, the fallback without SIMD)`,
  );
  console.log(
    `  PIL + torchvision    wall ${ms(pilTotal)}  cpu ${ms(pilCpu)}  ` +
      `open+convert ${ms(median(pil.map((r) => r.decodeMs)))}  ` +
      `transforms ${ms(median(pil.map((r) => r.totalMs - r.decodeMs)))}`,
  );
  console.log(
    `  ratio ours / PIL     wall ${(oursTotal / pilTotal).toFixed(2)}x  cpu ${(oursCpu / pilCpu).toFixed(2)}x  (target <= 1.00x)`,
  );
  console.log(
    `  bit-exactness        uint8 max abs diff ${pixelDiff}, float32 max abs diff ${tensorDiff}` +
      (sameSize ? '' : '  (SIZES DIFFER)'),
  );
}

const folder = mkdtempSync(join(tmpdir(), 'preprocess-bench-'));
try {
  console.log(`load average ${loadavg()[0].toFixed(1)} at the start`);
  // A camera photo, and the warm path's 500×375 (tools/bench/warm.mjs).
  await benchPhoto(folder, 4000, 3000);
  await benchPhoto(folder, 500, 375);
  console.log(`load average ${loadavg()[0].toFixed(1)} at the end`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
