// Start-up and per-request overhead on ResNet-50 (prints numbers, passes or fails nothing):
//   node --import tsx tools/bench/startup.mjs [--rounds 5] [--warm 20] [--threads N]
// With torchvision's resnet50 (random init, batchnorm statistics drawn away from the identity) saved
// as safetensors and exported by torch.onnx.export (which folds batchnorm, as eval mode does):
//   - session creation: our compiled model against torch's export, both from bytes in memory with
//     the worker's session options, rounds alternating which goes first; also ours with --keep-bn;
//   - the logits of ours (folded and not) against torch's export in onnxruntime;
//   - cold first inference: a fresh worker (dist/worker.js), the weights read from the safetensors
//     file, a 500×375 JPEG → top-5: the first ever (an empty model cache), cached (the optimized model
//     the first stored), and without the model cache, with the phases of each; beside them, a fresh
//     process loading torch's export and running it; the cold sessions' logits against the others;
//   - warm end to end through the worker (the same JPEG) against its model run, the overhead split by
//     phase (warm.mjs, which measures the same alone with random weights).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { analyze } from '../../language/core/analysis.ts';
import { compileToOnnx } from '../../engine/onnx/build.ts';
import { loadStateDict } from '../../engine/onnx/state-dict.ts';
import { InferenceClient } from '../../engine/runtime/client.ts';
import { relativeError } from './logits.mjs';
import { describeDecode, describeWarm, measureWarm, pilDecodeMs } from './warm.mjs';
import { numberArgument } from './arguments.mjs';

const ROUNDS = numberArgument('--rounds', 5);
const WARM = numberArgument('--warm', 20);
const THREADS = numberArgument('--threads', availableParallelism());
const PYTHON = '/usr/bin/python3';
const root = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-bench-startup-'));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(1)} ms`;
const load = () => loadavg()[0].toFixed(1);

// The worker's own session options (session-cache.ts), with the thread count fixed.
const sessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: THREADS,
  logSeverityLevel: 3,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

const torchScript = `
import sys, torch, torchvision
sys.path.insert(0, sys.argv[3])
from safetensors_file import save_file
torch.manual_seed(0)
model = torchvision.models.resnet50(weights=None).eval()
for m in model.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.weight.data.uniform_(0.5, 1.5); m.bias.data.uniform_(-0.2, 0.2)
        m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 2.0)
save_file(model.state_dict(), sys.argv[1])
torch.onnx.export(model, torch.randn(1, 3, 224, 224), sys.argv[2], opset_version=17, input_names=['input'], output_names=['logits'])
`;

const coldTorchScript = `
const t = performance.now();
const ort = require('onnxruntime-node');
(async () => {
  const session = await ort.InferenceSession.create(process.argv[1], JSON.parse(process.argv[2]));
  await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 224 * 224), [1, 3, 224, 224]) });
  console.log(performance.now() - t);
})();
`;

try {
  console.log(`ResNet-50, CPU EP, ${THREADS} intra-op threads; load average ${load()} at the start`);
  const weightsFile = join(scratch, 'resnet50.safetensors');
  const torchFile = join(scratch, 'resnet50_torch.onnx');
  execFileSync(PYTHON, ['-c', torchScript, weightsFile, torchFile, join(root, 'engine/torch/python')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const torchBytes = readFileSync(torchFile);
  const network = analyze(readFileSync(join(root, 'examples/resnet50.resnet'), 'utf8')).networks[0];
  const weights = await loadStateDict(network, weightsFile);
  const folded = compileToOnnx(network, weights.tensors);
  const kept = compileToOnnx(network, weights.tensors, {}, { keepBatchnorm: true });

  const create = async (bytes) => {
    const t = performance.now();
    const session = await ort.InferenceSession.create(bytes, sessionOptions);
    const elapsed = performance.now() - t;
    return { session, elapsed };
  };
  // Untimed, once each: the first session of a process pays for touching its memory the first time
  // (seconds here), which would land on whichever the first round creates first.
  for (const bytes of [folded, torchBytes, kept]) await (await create(bytes)).session.release();
  const times = { folded: [], kept: [], torch: [] };
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['folded', 'torch', 'kept'] : ['torch', 'kept', 'folded'];
    const got = {};
    for (const which of order) {
      const { session, elapsed } = await create(which === 'torch' ? torchBytes : which === 'folded' ? folded : kept);
      got[which] = elapsed;
      times[which].push(elapsed);
      await session.release();
    }
    ratios.push(got.folded / got.torch);
  }
  console.log(
    `session creation: ours ${ms(median(times.folded))} (${(folded.length / 1e6).toFixed(1)} MB), torch's export ${ms(median(times.torch))} ` +
      `(${(torchBytes.length / 1e6).toFixed(1)} MB), ours with --keep-bn ${ms(median(times.kept))}; ` +
      `ours / torch's ${median(ratios).toFixed(2)}× (median of ${ROUNDS} rounds; goal ≤ 1.0)`,
  );

  const input = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i)), [1, 3, 224, 224]);
  const logits = {};
  for (const [which, bytes] of [['folded', folded], ['kept', kept], ['torch', torchBytes]]) {
    const { session } = await create(bytes);
    logits[which] = (await session.run({ input })).logits.data;
    await session.release();
  }
  console.log(
    `logits: folded vs torch's export ${relativeError(logits.folded, logits.torch).toExponential(1)}, ` +
      `folded vs unfolded ${relativeError(logits.folded, logits.kept).toExponential(1)} of the largest logit (goal < 1e-4)`,
  );

  const image = join(scratch, 'photo.jpg');
  const pixels = Buffer.alloc(500 * 375 * 3).map((_, i) => (i * 7919) % 251);
  await sharp(pixels, { raw: { width: 500, height: 375, channels: 3 } }).jpeg({ quality: 90 }).toFile(image);
  const request = { network, weights: { kind: 'file', path: weightsFile }, ep: 'cpu', threads: THREADS, inputs: [{ kind: 'image', path: image }] };
  const tensorRequest = { ...request, inputs: [{ kind: 'tensor', label: 'sin', data: input.data, dims: input.dims }] };
  const newClient = (modelCache = false) => new InferenceClient({ workerPath: join(root, 'dist/worker.js'), execArgv: [], modelCache });

  // Three cold starts per round, each in a fresh worker: the first ever (an empty model cache, which
  // it fills), the same again with the optimized model in the cache, and one with no cache at all;
  // then a fresh process loading torch's export and running a tensor.
  const kinds = { first: 'first ever (saves the optimized model after its response)', cached: 'cached (optimized model from the cache)', none: 'without the model cache' };
  const cold = { first: [], cached: [], none: [] };
  const phases = { first: [], cached: [], none: [] };
  const coldLogits = {};
  const torchCold = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cache = mkdtempSync(join(scratch, 'model-cache-'));
    for (const which of ['first', 'cached', 'none']) {
      const client = newClient(which === 'none' ? false : cache);
      const t = performance.now();
      const result = await client.infer(request);
      cold[which].push(performance.now() - t);
      phases[which].push({ ...result.session, runMs: result.results[0].timings.runMs });
      // The logits of the session the cold start made, on the tensor the other models ran.
      if (round === 0) coldLogits[which] = (await client.infer(tensorRequest)).results[0].logits;
      await client.dispose();
    }
    rmSync(cache, { recursive: true, force: true });
    const options = JSON.stringify(sessionOptions);
    torchCold.push(Number(execFileSync(process.execPath, ['-e', coldTorchScript, torchFile, options], { encoding: 'utf8', cwd: root }).trim()));
  }
  const torchMs = median(torchCold);
  console.log(`cold first inference (fresh worker, safetensors → top-5 of a 500×375 JPEG; medians of ${ROUNDS} rounds; goal ≤ 1000 ms):`);
  for (const which of ['first', 'cached', 'none']) {
    const p = phases[which];
    const phase = (name) => ms(median(p.map((x) => x[name])));
    console.log(
      `  ${kinds[which]}: ${ms(median(cold[which]))}, ${(median(cold[which]) / torchMs).toFixed(2)}× torch's (weights ${phase('weightsMs')}, ` +
        `compile ${phase('compileMs')}, session ${phase('sessionMs')}, first run ${phase('runMs')}; model cache: ${p.map((x) => x.modelCache ?? '-').join(' ')})`,
    );
  }
  console.log(`  a fresh process loading torch's export and running a tensor: ${ms(torchMs)}`);
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  console.log(
    `  logits of the cold sessions: first ever vs torch's export ${relativeError(coldLogits.first, logits.torch).toExponential(1)}; ` +
      `first ever vs in-process folded ${same(coldLogits.first, logits.folded) ? 'identical' : relativeError(coldLogits.first, logits.folded).toExponential(1)}; ` +
      `cached vs first ever ${same(coldLogits.cached, coldLogits.first) ? 'identical' : relativeError(coldLogits.cached, coldLogits.first).toExponential(1)}; ` +
      `without the cache vs first ever ${same(coldLogits.none, coldLogits.first) ? 'identical' : relativeError(coldLogits.none, coldLogits.first).toExponential(1)}`,
  );

  const client = newClient();
  const warm = await measureWarm(client, request, WARM);
  await client.dispose();
  console.log(`warm (500×375 JPEG → logits, medians of ${WARM}): ${describeWarm(warm)}`);
  console.log(`  ${describeDecode(warm, pilDecodeMs(image))}`);
  console.log(`load average ${load()} at the end`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
