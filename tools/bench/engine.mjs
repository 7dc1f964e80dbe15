// Inference engine benchmark (prints numbers, passes or fails nothing):
//   node --import tsx tools/bench/engine.mjs [--runs 30] [--threads 2]
// ResNet-50, batch 1, CPU EP:
//   - our compiled model vs onnxruntime running torch.onnx.export of torchvision's resnet50
//     (same session options, runs interleaved so both see the same machine load; target ratio <= 1.02)
//   - vs PyTorch eager (Debian's torch, same thread count)
//   - serialisation (Network → ONNX bytes).
// Session creation, the cold first inference and the warm overhead are startup.mjs's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { analyze } from '../../language/core/analysis.ts';
import { compileToOnnx } from '../../engine/onnx/build.ts';
import { randomWeights } from '../../engine/onnx/random-weights.ts';
import { numberArgument } from './arguments.mjs';

const RUNS = numberArgument('--runs', 30);
const THREADS = numberArgument('--threads', 2);
const PYTHON = '/usr/bin/python3';
const root = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-bench-'));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const fmt = (ms) => `${ms.toFixed(2)} ms`;

function sessionOptions() {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: THREADS,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

try {
  console.log(`ResNet-50, batch 1, CPU EP, ${THREADS} intra-op threads, median of ${RUNS} runs`);

  const network = analyze(readFileSync(join(root, 'examples/resnet50.resnet'), 'utf8')).networks[0];
  const weights = randomWeights(network, 0);
  const start = performance.now();
  const ours = compileToOnnx(network, weights.tensors);
  const serialiseMs = performance.now() - start;
  console.log(`serialise Network → ONNX: ${fmt(serialiseMs)} (${(ours.length / 1e6).toFixed(1)} MB)`);

  const torchOnnx = join(scratch, 'torch_resnet50.onnx');
  const python = `
import sys, time, torch, torchvision
torch.set_num_threads(${THREADS})
model = torchvision.models.resnet50(weights=None).eval()
x = torch.randn(1, 3, 224, 224)
torch.onnx.export(model, x, sys.argv[1], opset_version=17, input_names=['input'], output_names=['logits'])
with torch.no_grad():
    for _ in range(5):
        model(x)
    times = []
    for _ in range(${RUNS}):
        t = time.perf_counter(); model(x); times.append((time.perf_counter() - t) * 1000)
times.sort()
print(times[len(times) // 2])
`;
  const eagerMs = Number(execFileSync(PYTHON, ['-c', python, torchOnnx], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());

  const oursSession = await ort.InferenceSession.create(ours, sessionOptions());
  const torchSession = await ort.InferenceSession.create(torchOnnx, sessionOptions());

  const input = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i)), [1, 3, 224, 224]);
  const time = async (session) => {
    const t = performance.now();
    await session.run({ input });
    return performance.now() - t;
  };
  for (let i = 0; i < 3; i++) {
    await time(oursSession);
    await time(torchSession);
  }
  const oursTimes = [];
  const torchTimes = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate the order so neither model always runs right after the other.
    if (i % 2 === 0) {
      oursTimes.push(await time(oursSession));
      torchTimes.push(await time(torchSession));
    } else {
      torchTimes.push(await time(torchSession));
      oursTimes.push(await time(oursSession));
    }
  }
  const oursMs = median(oursTimes);
  const torchMs = median(torchTimes);
  console.log(`run: ours ${fmt(oursMs)}, torch.onnx.export in ORT ${fmt(torchMs)}, ratio ${(oursMs / torchMs).toFixed(3)} (target ≤ 1.02)`);
  console.log(`run: PyTorch eager ${fmt(eagerMs)}, ours / eager ${(oursMs / eagerMs).toFixed(3)}`);
  await oursSession.release();
  await torchSession.release();

} finally {
  rmSync(scratch, { recursive: true, force: true });
}
