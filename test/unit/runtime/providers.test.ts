import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  candidateEps,
  formatEpReport,
  installHint,
  isEpChoice,
  nodesByEpFromProfile,
  ranFromCounts,
  shortenEpError,
} from '../../../engine/runtime/providers';

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
  assert.match(installHint('webgpu'), /setup-lavapipe\.sh/);
  assert.match(installHint('cuda'), /cuDNN/);
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
});
