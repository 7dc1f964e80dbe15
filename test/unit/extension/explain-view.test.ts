// The pure parts behind "see why" in the editor and the inference-from-the-editor fixes: the new
// webview requests, class maps as heat maps at the size of what the network saw, the true class of a
// single image from its name, which execution providers this machine can run, the profile's stages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classMapsView, topOverlay } from '../../../extension/class-map-view';
import { jet, normalise } from '../../../engine/runtime/cam-overlay';
import { classActivationMap, occlusionPatches } from '../../../engine/runtime/cam';
import { epAvailability } from '../../../engine/runtime/ep-availability';
import { trueClass } from '../../../engine/runtime/true-class';
import { stageTimes } from '../../../contracts/inference-result';
import { guiText, parseResultsRequest } from '../../../contracts/results';
import { candidateEps } from '../../../engine/runtime/providers';

test('the results view may ask to time layers, open an image and take a failure action, nothing else', () => {
  assert.deepEqual(parseResultsRequest({ type: 'profile', id: 'image-1-abcdef' }), { type: 'profile', id: 'image-1-abcdef' });
  assert.deepEqual(parseResultsRequest({ type: 'openImage', id: 'eval-2-abcdef', index: 3 }), { type: 'openImage', id: 'eval-2-abcdef', index: 3 });
  assert.deepEqual(parseResultsRequest({ type: 'openImage', id: 'image-1-abcdef', index: -1 }), { type: 'openImage', id: 'image-1-abcdef', index: -1 });
  assert.deepEqual(parseResultsRequest({ type: 'action', id: 'failure-3-abcdef', action: 'randomWeights' }), { type: 'action', id: 'failure-3-abcdef', action: 'randomWeights' });
  for (const bad of [
    { type: 'openImage', id: 'x', index: -2 },
    { type: 'openImage', id: 'x', index: 1.5 },
    { type: 'openImage', id: 'x' },
    { type: 'action', id: 'x', action: 'rm -rf' },
    { type: 'profile', id: 'x', extra: 1 },
    { type: 'profile', id: '../x' },
  ]) {
    assert.equal(parseResultsRequest(bad), undefined, JSON.stringify(bad));
  }
});

test('class maps become heat maps at the size of the image the network saw; the top overlay too', () => {
  const seen = { width: 28, height: 28, channels: 1, pixels: new Uint8Array(28 * 28).fill(100) };
  const values = Float32Array.from({ length: 49 }, (_, i) => i);
  const view = classMapsView({ method: 'cam', height: 7, width: 7, maps: [{ index: 9, values }, { index: 7, values: values.map((v) => -v) }] }, seen, (i) => `class ${i}`);
  assert.deepEqual(view.classes.map((c) => [c.index, c.name, c.heat.width, c.heat.height, c.heat.channels]), [[9, 'class 9', 28, 28, 3], [7, 'class 7', 28, 28, 3]]);
  const heat = Buffer.from(view.classes[0]!.heat.base64, 'base64');
  assert.equal(heat.length, 28 * 28 * 3);
  // Low values blue, high values red (jet).
  assert.deepEqual([...heat.subarray(0, 3)], jet(0));
  assert.deepEqual([...heat.subarray(heat.length - 3)], jet(1));
  const overlay = topOverlay({ label: 'x', timings: { decodeMs: 0, preprocessMs: 0, runMs: 0 }, seen, cam: { method: 'cam', height: 7, width: 7, maps: [{ index: 9, values }] } });
  assert.deepEqual([overlay?.width, overlay?.height, overlay?.channels], [28, 28, 3]);
  assert.deepEqual([...normalise(new Float32Array([2, 2]))], [0, 0], 'a flat map has no hot spot');
});

test('CAM arithmetic and the occlusion grid cover the input exactly once', () => {
  // Two channels of 2×2; class 1 weighs them 2 and -1.
  const features = new Float32Array([1, 2, 3, 4, 10, 20, 30, 40]);
  assert.deepEqual([...classActivationMap(features, 2, 4, new Float32Array([0, 0, 2, -1]), 1)], [-8, -16, -24, -32]);
  const { rows, columns, patches } = occlusionPatches(20, 5);
  assert.deepEqual([rows, columns], [7, 5]);
  const covered = new Uint8Array(100);
  for (const p of patches) for (let y = p.top; y < p.bottom; y++) for (let x = p.left; x < p.right; x++) covered[y * 5 + x]!++;
  assert.ok(covered.every((c) => c === 1));
});

test('a single image has a true class when its file name or folder says it, by the labelled-folder rules', () => {
  const labels = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  assert.deepEqual(trueClass('/data/images/0000_9.png', 10, labels), { index: 9, from: 'file name' });
  assert.deepEqual(trueClass('/data/ankle boot/photo.jpg', 10, labels), { index: 9, from: 'folder name' });
  assert.deepEqual(trueClass('/data/T-shirt_top/a.png', 10, labels), { index: 0, from: 'folder name' });
  assert.deepEqual(trueClass('/data/3/a.png', 10, undefined), { index: 3, from: 'folder name' });
  assert.equal(trueClass('/data/images/photo_12.png', 10, labels), undefined, 'index beyond the classes');
  assert.equal(trueClass('/home/me/repo/photo.png', 10, labels), undefined);
});

test('the execution-provider picker marks what this machine can run', () => {
  const linuxNoGpu = { platform: 'linux' as const, cudaPresent: false, gpuDevicePresent: false };
  assert.deepEqual(epAvailability('cpu', linuxNoGpu).runs, true);
  assert.deepEqual(epAvailability('auto', linuxNoGpu), { runs: true, why: 'tries cpu' });
  assert.equal(epAvailability('dml', linuxNoGpu).runs, false);
  assert.equal(epAvailability('coreml', linuxNoGpu).runs, false);
  assert.match(epAvailability('webgpu', linuxNoGpu).why, /no GPU device/);
  assert.match(epAvailability('cuda', linuxNoGpu).why, /not installed/);
  const linuxCuda = { platform: 'linux' as const, cudaPresent: true, gpuDevicePresent: true };
  assert.equal(epAvailability('cuda', linuxCuda).runs, true);
  assert.equal(epAvailability('auto', linuxCuda).why, 'tries cuda, then webgpu, then cpu');
  assert.equal(epAvailability('dml', { platform: 'win32', cudaPresent: false, gpuDevicePresent: false }).runs, true);
});

test('stage times count a fused node once; single layers before the stages are the stem, after them the head', () => {
  const stages = stageTimes([
    { name: 'conv1', ms: 2, fusedInto: 'relu' },
    { name: 'relu', ms: 2 },
    { name: 'layer1.0.conv1', ms: 1, fusedInto: 'layer1.0.relu' },
    { name: 'layer1.0.relu', ms: 1 },
    { name: 'layer2.0.bn2', ms: 3 },
    { name: 'fc', ms: 0.5 },
  ]);
  assert.deepEqual(stages, [{ name: 'stem', ms: 2 }, { name: 'layer1', ms: 1 }, { name: 'layer2', ms: 3 }, { name: 'head', ms: 0.5 }]);
});

test('GUI text names the execution-provider picker, not a CLI flag', () => {
  const skipped = candidateEps('auto', { platform: 'linux', cudaPresent: false, gpuDevicePresent: false }).skipped[0]!.error!;
  assert.match(skipped, /--ep webgpu/, 'the engine message the CLI prints');
  assert.doesNotMatch(guiText(skipped), /--/);
  assert.match(guiText(skipped), /choosing webgpu in the execution-provider picker forces it/);
});
