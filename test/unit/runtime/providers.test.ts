import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import {
  candidateEps,
  cudaInstallCommand,
  formatEpReport,
  installHint,
  isEpChoice,
  nodesByEpFromProfile,
  ranFromCounts,
  shortenEpError,
} from '../../../engine/runtime/providers';
import { repoRoot } from '../examples';

test('auto tries the platform GPU EPs one at a time, then cpu', () => {
  const eps = (platform: NodeJS.Platform, cudaPresent: boolean, gpuDevicePresent = true) =>
    candidateEps('auto', { platform, cudaPresent, gpuDevicePresent }).eps;
  assert.deepEqual(eps('linux', false), ['webgpu', 'cpu']);
  assert.deepEqual(eps('linux', true), ['cuda', 'webgpu', 'cpu']);
  assert.deepEqual(eps('win32', false), ['dml', 'webgpu', 'cpu']);
  assert.deepEqual(eps('darwin', false), ['coreml', 'webgpu', 'cpu']);
  assert.deepEqual(candidateEps('cuda', { platform: 'linux', cudaPresent: false, gpuDevicePresent: false }), { eps: ['cuda'], skipped: [] });
});

test('auto skips WebGPU on Linux without a GPU device, and says so; an explicit choice still tries it', () => {
  const facts = { platform: 'linux' as const, cudaPresent: false, gpuDevicePresent: false };
  const { eps, skipped } = candidateEps('auto', facts);
  assert.deepEqual(eps, ['cpu']);
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.ep, 'webgpu');
  assert.match(skipped[0]!.error!, /^skipped: no GPU device .*--ep webgpu forces it/);
  assert.deepEqual(candidateEps('webgpu', facts).eps, ['webgpu']);
});

test('EP choices are validated', () => {
  assert.ok(isEpChoice('webgpu'));
  assert.ok(!isEpChoice('gpu'));
  assert.match(installHint('webgpu', '/o'), /setup-lavapipe\.sh/);
  assert.match(installHint('cuda', '/o', 'linux', 'x64'), /cuDNN 9 .*downloads: `\(cd \/o && ONNXRUNTIME_NODE_INSTALL=cuda12 node script\/install\.js\)`$/);
  assert.equal(installHint('cuda', '/o', 'win32', 'x64'), 'onnxruntime-node has CUDA provider libraries for Linux x64 only, not for win32 x64');
  assert.equal(cudaInstallCommand("/my ext/it's"), `(cd '/my ext/it'\\''s' && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js)`);
});

test("the CUDA instruction is onnxruntime-node's own installer, and the README gives the same", () => {
  const ort = dirname(require.resolve('onnxruntime-node/package.json'));
  const metadata = require(join(ort, 'script/install-metadata.js')) as { requirements: Record<string, string[]>; manifests: Record<string, Record<string, unknown>> };
  assert.deepEqual(Object.entries(metadata.requirements).filter(([, names]) => names.includes('cuda12')).map(([platform]) => platform), ['linux/x64']);
  assert.ok('./libonnxruntime_providers_cuda.so' in metadata.manifests['linux/x64:cuda12']!, 'the library cudaProvidersPresent looks for');
  assert.match(readFileSync(join(ort, 'script/install-utils.js'), 'utf8'), /process\.env\.ONNXRUNTIME_NODE_INSTALL\b/);
  assert.ok(readFileSync(join(ort, 'script/install.js'), 'utf8').includes('--onnxruntime-node-install=cuda12'));
  assert.ok(readFileSync(join(repoRoot, 'README.md'), 'utf8').includes(`\`${cudaInstallCommand('node_modules/onnxruntime-node')}\``));
});

test('ORT failures are shortened to the sentence that explains them', () => {
  const webgpu =
    '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(...)::<lambda()> ' +
    'adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters';
  assert.equal(shortenEpError(webgpu), 'Failed to get a WebGPU adapter: No supported adapters');
  assert.equal(
    shortenEpError('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library'),
    'Failed to load shared library',
  );
  assert.equal(shortenEpError('no available backend found. ERR: [coreml] backend not found.'), `onnxruntime-node has no coreml backend on ${process.platform}`);
});

test('the EP that ran each node comes from the profile', () => {
  const profile = [
    { cat: 'Session', name: 'model_loading_array', args: {} },
    { cat: 'Node', name: 'conv1_kernel_time', args: { provider: 'WebGpuExecutionProvider' } },
    { cat: 'Node', name: 'conv1_fence_before', args: { provider: 'WebGpuExecutionProvider' } },
    { cat: 'Node', name: 'relu_kernel_time', args: { provider: 'WebGpuExecutionProvider' } },
    { cat: 'Node', name: 'shape_kernel_time', args: { provider: 'CPUExecutionProvider' } },
  ];
  const counts = nodesByEpFromProfile(profile);
  assert.deepEqual(counts, { webgpu: 2, cpu: 1 });
  assert.equal(ranFromCounts(counts), 'webgpu+cpu');
  assert.equal(ranFromCounts({ cpu: 40 }), 'cpu');
  assert.deepEqual(nodesByEpFromProfile('not a profile'), {});
  assert.deepEqual(
    formatEpReport({
      requested: 'auto',
      selected: 'cpu',
      nodesByEp: { cpu: 40 },
      ran: 'cpu',
      attempts: [
        { ep: 'cuda', ok: false, error: 'Failed to load shared library', ms: 30 },
        { ep: 'webgpu', ok: false, error: 'skipped: no GPU device', ms: 0 },
        { ep: 'cpu', ok: true, ms: 20 },
      ],
    }),
    ['ep: cpu (requested auto; 40 nodes: cpu 40)', '  tried cuda: Failed to load shared library', '  skipped webgpu: no GPU device'],
  );
  assert.deepEqual(formatEpReport({ requested: 'auto', selected: 'cpu', nodesByEp: {}, ran: 'unknown', attempts: [{ ep: 'cpu', ok: true, ms: 20 }] }), [
    'ep: cpu (requested auto; no image ran)',
  ]);
});
