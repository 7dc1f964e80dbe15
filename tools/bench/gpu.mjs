// ResNet-50 on the GPU execution providers against the CPU (prints numbers, passes or fails nothing):
//   node --import tsx tools/bench/gpu.mjs [--out FILE] [--seconds 8]
// or, carried to a machine without Node or node_modules, through tools/bench/gpu.sh (docs/gpu.md).
// For CUDA, WebGPU and the CPU, each at batch 1 and 32: session creation, latency (median of the
// timed runs), throughput, the EP that ran each node (from the session profile) and the largest
// logit difference from the CPU's on the same input, relative to the largest logit. A provider that
// cannot run says why. Then PyTorch's own ResNet-50 on CUDA, when the first Python that imports
// torch has a CUDA build. The weights are the seeded random ones of resnet-studio --random-weights.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { analyze } from '../../language/core/analysis';
import { INPUT_NAME, OUTPUT_NAME } from '../../engine/onnx/build';
import { linuxGpuDevicePresent } from '../../engine/runtime/providers';
import { SessionCache } from '../../engine/runtime/session-cache';
import { relativeError } from './logits.mjs';

const BATCHES = [1, 32];
const EPS = ['cpu', 'cuda', 'webgpu'];
const CUDA_HINT =
  'set ORT_CUDA_PROVIDERS_DIR to a folder holding onnxruntime 1.30\'s libonnxruntime_providers_cuda.so and ' +
  'libonnxruntime_providers_shared.so, with CUDA 12 and cuDNN 9 on LD_LIBRARY_PATH';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Why an EP is not tried at all here, or undefined. */
function notHere(ep) {
  if (ep === 'webgpu' && process.platform === 'linux' && !linuxGpuDevicePresent()) {
    return 'no GPU device (/dev/dri/renderD*, /dev/nvidia0): Vulkan could only run in software';
  }
  return undefined;
}

/** Runs until `seconds` have passed (at least 3 and at most 50 runs) after two untimed ones. */
async function measure(session, input, seconds) {
  const feeds = { [INPUT_NAME]: input };
  for (let i = 0; i < 2; i++) await session.run(feeds);
  const times = [];
  const began = performance.now();
  let logits;
  while (times.length < 3 || (times.length < 50 && performance.now() - began < seconds * 1000)) {
    const t = performance.now();
    logits = (await session.run(feeds))[OUTPUT_NAME].data;
    times.push(performance.now() - t);
  }
  return { latencyMs: median(times), runs: times.length, logits };
}

const torchScript = `
import json, sys, time
try:
    import torch, torchvision
except Exception as e:
    print(json.dumps({'available': False, 'reason': f'{sys.executable}: no torch ({e})'})); raise SystemExit
if not torch.cuda.is_available():
    print(json.dumps({'available': False, 'reason': f'{sys.executable}: torch {torch.__version__} has no CUDA device or build (torch.version.cuda {torch.version.cuda})'})); raise SystemExit
out = {'available': True, 'python': sys.executable, 'torch': torch.__version__, 'cuda': torch.version.cuda, 'device': torch.cuda.get_device_name(0), 'batches': []}
model = torchvision.models.resnet50().eval().cuda()
for batch in json.loads(sys.argv[1]):
    x = torch.randn(batch, 3, 224, 224, device='cuda')
    with torch.no_grad():
        for _ in range(10): model(x)
        torch.cuda.synchronize()
        times = []
        for _ in range(50):
            t = time.perf_counter(); model(x); torch.cuda.synchronize(); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out['batches'].append({'batch': batch, 'latencyMs': times[len(times) // 2], 'imagesPerSecond': batch * 1000 / times[len(times) // 2]})
print(json.dumps(out))
`;

function pytorchCuda() {
  const pythons = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  let reason = 'no Python found';
  for (const python of pythons) {
    try {
      const result = JSON.parse(execFileSync(python, ['-c', torchScript, JSON.stringify(BATCHES)], { encoding: 'utf8', timeout: 150_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop());
      if (result.available) return result;
      reason = result.reason;
      if (!/no torch/.test(reason)) return result;
    } catch (error) {
      reason = `${python}: ${String(error.message).split('\n')[0]}`;
    }
  }
  return { available: false, reason };
}

async function main() {
  // gpu.sh passes --root: its bundle of this file lives elsewhere.
  const root = resolve(option('--root') ?? join(dirname(new URL(import.meta.url).pathname), '..', '..'));
  const out = option('--out', join(root, 'test-results', 'gpu-bench.json'));
  const seconds = Number(option('--seconds', '8'));
  const network = analyze(readFileSync(join(root, 'examples', 'resnet50.resnet'), 'utf8')).networks[0];
  const [c, h, w] = network.input;
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, load: loadavg()[0], node: process.version, onnxruntime: ort.env.versions?.common },
    network: network.name,
    providers: [],
    pytorch: undefined,
  };
  // Written after each step, so a run stopped by its time limit leaves what it measured.
  const save = () => {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  };
  console.log(`ResNet-50 (${network.name}), random weights (seed 0); ${report.machine.cores} cores: ${report.machine.cpu}`);
  const cpuLogits = new Map();
  for (const ep of EPS) {
    const why = notHere(ep);
    if (why) {
      report.providers.push({ ep, available: false, reason: why });
      console.log(`${ep}: unavailable: ${why}`);
      continue;
    }
    const cache = new SessionCache(1);
    try {
      const started = performance.now();
      const { entry } = await cache.get(network, { kind: 'random', seed: 0 }, ep);
      const sessionMs = performance.now() - started;
      const batches = [];
      for (const batch of BATCHES) {
        const data = new Float32Array(batch * c * h * w).map((_, i) => Math.sin(i * 0.001));
        const result = await measure(entry.session, new ort.Tensor('float32', data, [batch, c, h, w]), seconds);
        cache.collectProfile(entry);
        if (ep === 'cpu') cpuLogits.set(batch, result.logits);
        const reference = cpuLogits.get(batch);
        const row = {
          batch,
          latencyMs: result.latencyMs,
          imagesPerSecond: (batch * 1000) / result.latencyMs,
          runs: result.runs,
          logitsVsCpu: reference ? relativeError(result.logits, reference) : null,
        };
        batches.push(row);
        console.log(
          `${ep} batch ${batch}: ${row.latencyMs.toFixed(2)} ms, ${row.imagesPerSecond.toFixed(1)} images/s (${row.runs} runs)` +
            (ep === 'cpu' ? '' : `, logits vs CPU ${row.logitsVsCpu.toExponential(1)} of the largest`),
        );
      }
      report.providers.push({ ep, available: true, ran: entry.ep.ran, nodesByEp: entry.ep.nodesByEp, sessionMs, batches });
      console.log(`${ep}: session ${sessionMs.toFixed(0)} ms; ran ${entry.ep.ran} ${JSON.stringify(entry.ep.nodesByEp)}`);
    } catch (error) {
      // By name: under tsx this file and session-cache.ts may hold two copies of the class.
      const known = error?.name === 'EngineError';
      const hint = ep === 'cuda' && known ? ` (gpu.sh: ${CUDA_HINT})` : '';
      const reason = known ? `${error.message}${hint}` : String(error?.stack ?? error);
      report.providers.push({ ep, available: false, reason });
      console.log(`${ep}: unavailable: ${reason}`);
    } finally {
      await cache.dispose();
      save();
    }
  }
  report.pytorch = pytorchCuda();
  if (report.pytorch.available) {
    for (const row of report.pytorch.batches) console.log(`PyTorch CUDA (${report.pytorch.device}) batch ${row.batch}: ${row.latencyMs.toFixed(2)} ms, ${row.imagesPerSecond.toFixed(1)} images/s`);
  } else {
    console.log(`PyTorch CUDA: unavailable: ${report.pytorch.reason}`);
  }
  save();
  console.log(`written to ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
