// Class maps and per-layer timings from the worker, against torch: the CAM of a pooling+linear head
// (features entering the pooling times the fc weights, by a forward hook in torch; for a clip, that
// T'×H'×W' map interpolated to the frame shown), occlusion sensitivity on a network with another head
// (a torch loop over the same grid; for a clip, each patch hidden in every frame), the overlay the CLI
// writes, and the profile's layer names.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import * as inferCommand from '../../../cli/commands/infer';
import { analyze } from '../../../language/core/analysis';
import type { Network } from '../../../language/core/model';
import { allNodes, flattenLayers } from '../../../language/core/walk';
import { camHead } from '../../../engine/onnx/cam-head';
import { frameOfVolume, upsample } from '../../../engine/runtime/cam-overlay';
import { OCCLUSION_GRID } from '../../../engine/runtime/cam';
import { InferenceClient } from '../../../engine/runtime/client';
import { stageTimes } from '../../../contracts/inference-result';
import type { InputSpec } from '../../../contracts/worker';
import { exampleFile, exampleNetwork } from '../onnx/example-networks';
import { PYTHON, referenceIo, referenceModels, referenceNetworks, readIo } from '../onnx/oracle';

const ORACLE = join(__dirname, '..', '..', 'oracle', 'class_maps.py');
const WORKER = join(__dirname, '..', '..', '..', 'engine', 'runtime', 'worker.ts');
const client = new InferenceClient({ workerPath: WORKER, execArgv: ['--import', 'tsx'] });
const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-maps-'));
after(async () => {
  await client.dispose();
  rmSync(folder, { recursive: true, force: true });
});

const torchMaps = <Map = number[][]>(args: string[]): Record<string, Map> => JSON.parse(execFileSync(PYTHON, [ORACLE, ...args], { encoding: 'utf8', timeout: 300_000 }));

/** max |a − b| over the map, relative to the reference map's largest magnitude. */
function mapError(actual: ArrayLike<number>, expected: number[][]): number {
  const flat = expected.flat();
  const max = Math.max(...flat.map(Math.abs));
  return Math.max(...flat.map((v, i) => Math.abs(v - actual[i]!))) / max;
}

const tensorInput = (data: Float32Array, network: Network): InputSpec => ({ kind: 'tensor', label: 'reference', data, dims: [1, ...network.input!] });

for (const name of ['fashion_resnet20', 'resnet18']) {
  test(`${name}: the CAM of each top class equals torch's features before the pooling times the fc weights`, async () => {
    const network = exampleNetwork(name);
    const head = camHead(network);
    assert.ok(head, 'a pooling+linear head');
    const models = referenceModels([name]);
    const { input } = await referenceIo(models, name);
    const weights = join(models, `${name}.safetensors`);
    const run = await client.infer({ network, weights: { kind: 'file', path: weights }, ep: 'cpu', inputs: [tensorInput(input, network)], cam: { classes: 3 } });
    const cam = run.results[0]!.cam!;
    assert.equal(cam.method, 'cam');
    assert.deepEqual([cam.height, cam.width], [head.height, head.width]);
    assert.equal(cam.maps.length, 3);
    const expected = torchMaps(['cam', name, weights, join(models, `${name}.io.safetensors`), ...cam.maps.map((m) => String(m.index))]);
    for (const map of cam.maps) assert.ok(mapError(map.values, expected[map.index]!) < 1e-4, `class ${map.index}: ${mapError(map.values, expected[map.index]!)}`);
  });
}

test("r3d_18 (a clip): the CAM is torch's T'×H'×W' map interpolated along time to the middle frame, the frame the result shows", async () => {
  const network = exampleNetwork('r3d_18');
  const head = camHead(network);
  assert.ok(head, 'global 3-D average pooling and a linear layer');
  assert.deepEqual([head.channels, head.depth, head.height, head.width], [512, 2, 7, 7]);
  const models = referenceModels(['r3d_18']);
  const { input } = await referenceIo(models, 'r3d_18');
  const weights = join(models, 'r3d_18.safetensors');
  const run = await client.infer({ network, weights: { kind: 'file', path: weights }, ep: 'cpu', inputs: [tensorInput(input, network)], cam: { classes: 2 } });
  const cam = run.results[0]!.cam!;
  assert.equal(cam.method, 'cam');
  assert.deepEqual([cam.height, cam.width], [7, 7]);
  // 16 frames from 2 time steps: frame 8 is 0.4375 of the first and 0.5625 of the second.
  assert.deepEqual(cam.clip, { frame: 8, frames: 16, depth: 2 });
  const expected = torchMaps<number[][][]>(['cam', 'r3d_18', weights, join(models, 'r3d_18.io.safetensors'), ...cam.maps.map((m) => String(m.index))]);
  for (const map of cam.maps) {
    const frames = expected[map.index]!;
    assert.equal(frames.length, 16);
    assert.ok(mapError(map.values, frames[8]!) < 1e-4, `class ${map.index}: ${mapError(map.values, frames[8]!)}`);
    assert.ok(mapError(map.values, frames[0]!) > 1e-3, 'the first frame has a map of its own');
  }
});

const OCCLUSION_NET = `network occlusion_net {
  input 3x20x20
  conv1 conv(8, kernel=3, padding=1)
  bn1   batchnorm
  relu  relu
  pool  avgpool(output=2)
  flat  flatten
  fc    linear(5)
}
`;

/** The network's occlusion maps of its top two classes from the worker, against a torch loop over the same grid. */
async function checkOcclusion(source: string, clip?: { frame: number; frames: number }): Promise<void> {
  const analysis = analyze(source);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  const network = analysis.networks[0]!;
  assert.equal(camHead(network), undefined);
  const files = referenceNetworks([network]).get(network.name)!;
  const { input } = await readIo(files.io);
  const run = await client.infer({ network, weights: { kind: 'file', path: files.weights }, ep: 'cpu', inputs: [tensorInput(input, network)], cam: { classes: 2 } });
  const cam = run.results[0]!.cam!;
  assert.equal(cam.method, 'occlusion');
  assert.deepEqual([cam.height, cam.width, cam.clip], [OCCLUSION_GRID, OCCLUSION_GRID, clip]);
  const json = join(folder, `${network.name}.json`);
  writeFileSync(json, JSON.stringify(network, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  const expected = torchMaps(['occlusion', json, files.weights, files.io, String(OCCLUSION_GRID), ...cam.maps.map((m) => String(m.index))]);
  for (const map of cam.maps) {
    assert.ok(expected[map.index]!.flat().some((v) => Math.abs(v) > 1e-4), 'occluding changes the probability');
    assert.ok(mapError(map.values, expected[map.index]!) < 1e-4, `class ${map.index}: ${mapError(map.values, expected[map.index]!)}`);
  }
}

test('a head other than pooling+linear gets occlusion maps equal to a torch loop over the same grid', () => checkOcclusion(OCCLUSION_NET));

const CLIP_OCCLUSION_NET = `network clip_occlusion_net {
  input 3x4x12x12
  conv1 conv(4, kernel=3, padding=1)
  bn1   batchnorm
  relu  relu
  pool  avgpool(output=2)
  flat  flatten
  fc    linear(5)
}
`;

test('a clip network with another head gets occlusion maps that hide each patch in every frame, as a torch loop does', () =>
  checkOcclusion(CLIP_OCCLUSION_NET, { frame: 2, frames: 4 }));

test("a clip's map at a frame, upsampled as an image's, is torch's trilinear interpolation to T×H×W at that frame", () => {
  const volume = Float32Array.from({ length: 3 * 12 }, (_, i) => (i * 7) % 11);
  const expected: number[][][] = JSON.parse(
    execFileSync(PYTHON, ['-c', 'import json, torch, torch.nn.functional as F; x = torch.tensor([(i * 7) % 11 for i in range(36)], dtype=torch.float32).reshape(1, 1, 3, 3, 4); print(json.dumps(F.interpolate(x, size=(8, 17, 13), mode="trilinear", align_corners=False)[0, 0].tolist()))'], { encoding: 'utf8' }),
  );
  for (let frame = 0; frame < 8; frame++) assert.ok(mapError(upsample(frameOfVolume(volume, 3, 12, 8, frame), 3, 4, 17, 13), expected[frame]!) < 1e-5, `frame ${frame}`);
});

test('the overlay is upsampled as torch interpolates (bilinear, align_corners=False)', () => {
  const values = Float32Array.from({ length: 12 }, (_, i) => (i * 7) % 5);
  const expected: number[][] = JSON.parse(
    execFileSync(PYTHON, ['-c', 'import json, torch, torch.nn.functional as F; x = torch.tensor([(i * 7) % 5 for i in range(12)], dtype=torch.float32).reshape(1, 1, 3, 4); print(json.dumps(F.interpolate(x, size=(17, 13), mode="bilinear", align_corners=False)[0, 0].tolist()))'], { encoding: 'utf8' }),
  );
  assert.ok(mapError(upsample(values, 3, 4, 17, 13), expected) < 1e-5);
});

async function writePhoto(path: string, width: number, height: number): Promise<string> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13 + (i % 3) * 71) % 256;
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(path);
  return path;
}

function cli() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) } };
}

test('infer --cam writes the overlay at the network input size (after resize and crop) and --json carries the top-1 map', async () => {
  const photo = await writePhoto(join(folder, 'photo.png'), 300, 200);
  const overlay = join(folder, 'photo.cam.png');
  const { out, io } = cli();
  const code = await inferCommand.run([exampleFile('resnet18'), photo, '--random-weights', '--ep', 'cpu', '--cam', overlay, '--json'], io, new InferenceClient({ workerPath: WORKER, execArgv: ['--import', 'tsx'] }));
  assert.equal(code, 0, out.stderr);
  const meta = await sharp(overlay).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [224, 224, 'png']);
  const result = JSON.parse(out.stdout).results[0];
  assert.equal(result.camMethod, 'cam');
  assert.equal(result.cam.length, 7);
  assert.ok(result.cam.every((row: unknown[]) => row.length === 7 && row.every((v) => typeof v === 'number')));

  const second = await writePhoto(join(folder, 'second.png'), 240, 260);
  const maps = join(folder, 'maps');
  const several = cli();
  assert.equal(await inferCommand.run([exampleFile('resnet18'), photo, second, '--random-weights', '--ep', 'cpu', '--cam', maps], several.io, new InferenceClient({ workerPath: WORKER, execArgv: ['--import', 'tsx'] })), 0, several.out.stderr);
  assert.deepEqual(readdirSync(maps).sort(), ['photo.png.cam.png', 'second.png.cam.png']);
  assert.match(several.out.stdout, /class map \(CAM\) written to .*second\.png\.cam\.png/);
});

const TINY_CLIP = `network tiny_clip {
  input 3x8x112x112
  preprocess kinetics
  conv1   conv(4, kernel=(3, 7, 7), stride=(2, 4, 4), padding=(1, 3, 3))
  bn1     batchnorm
  relu    relu
  avgpool avgpool
  fc      linear(5)
}
`;

test('infer --cam on a clip draws the map of its middle frame over that frame and says so; --json gives the frame', async () => {
  const file = join(folder, 'tiny_clip.resnet');
  writeFileSync(file, TINY_CLIP);
  const frames = join(folder, 'frames');
  mkdirSync(frames);
  for (let i = 0; i < 10; i++) await writePhoto(join(frames, `frame${i}.png`), 160 + i, 120);
  const overlay = join(folder, 'clip.cam.png');
  const text = cli();
  assert.equal(await inferCommand.run([file, frames, '--random-weights', '--ep', 'cpu', '--cam', overlay], text.io, new InferenceClient({ workerPath: WORKER, execArgv: ['--import', 'tsx'] })), 0, text.out.stderr);
  assert.match(text.out.stdout, /class map \(CAM\) of the middle frame \(4 of the 8 taken, zero-based\) written to .*clip\.cam\.png/);
  const meta = await sharp(overlay).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [112, 112, 'png']);
  const json = cli();
  assert.equal(await inferCommand.run([file, frames, '--random-weights', '--ep', 'cpu', '--cam', overlay, '--json'], json.io, new InferenceClient({ workerPath: WORKER, execArgv: ['--import', 'tsx'] })), 0, json.out.stderr);
  const result = JSON.parse(json.out.stdout).results[0];
  assert.deepEqual([result.camMethod, result.camFrame, result.cam.length, result.cam[0].length], ['cam', 4, 28, 28]);
});

test('infer --profile: every layer of the network has a time, named as in the network; fused layers name the layer they ran in', async () => {
  const { out, io } = cli();
  const file = exampleFile('fashion_resnet20');
  const code = await inferCommand.run([file, join(file, '..', 'images', '0000_9.png'), '--ep', 'cpu', '--profile', '--json'], io, new InferenceClient({ workerPath: WORKER, execArgv: ['--import', 'tsx'] }));
  assert.equal(code, 0, out.stderr);
  const profile: { name: string; ms: number; fusedInto?: string }[] = JSON.parse(out.stdout).results[0].profile;
  const network = exampleNetwork('fashion_resnet20');
  const names = new Set([...flattenLayers(network).map((l) => l.name), ...[...allNodes(network.children)].flatMap((n) => (n.kind === 'add' && n.name ? [n.name] : []))]);
  assert.deepEqual(new Set(profile.map((p) => p.name)), names);
  const ran = new Map(profile.filter((p) => !p.fusedInto).map((p) => [p.name, p.ms]));
  for (const layer of profile) {
    assert.ok(layer.ms >= 0 && Number.isFinite(layer.ms), layer.name);
    if (layer.fusedInto) assert.equal(layer.ms, ran.get(layer.fusedInto), `${layer.name} is fused into ${layer.fusedInto}, which ran`);
  }
  // onnxruntime fuses each conv with its batchnorm: the batchnorms (or the convs) say so.
  assert.ok(profile.some((p) => p.name === 'layer1.0.bn1' && p.fusedInto) || profile.some((p) => p.name === 'layer1.0.conv1' && p.fusedInto));
  assert.ok([...ran.values()].reduce((a, b) => a + b, 0) > 0);
  assert.deepEqual(stageTimes(profile).map((s) => s.name), ['stem', 'layer1', 'layer2', 'layer3', 'head']);
});
