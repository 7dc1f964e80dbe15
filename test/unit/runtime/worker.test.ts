// The worker process for real: forked from the TypeScript source through tsx, fed tensors.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { InferenceClient, InferenceError, workerEnv } from '../../../engine/runtime/client';
import { NETWORKS_KEPT, type InputSpec, type WorkerRequest } from '../../../contracts/worker';
import { exampleNetwork } from '../onnx/example-networks';
import { referenceIo, referenceModels, relativeError } from '../onnx/oracle';

const WORKER = join(__dirname, '..', '..', '..', 'engine', 'runtime', 'worker.ts');
/** A client whose worker runs the .ts source; no VK_ICD_FILENAMES, so webgpu finds no adapter here. */
function testClient(env: NodeJS.ProcessEnv = process.env): InferenceClient {
  return new InferenceClient({ workerPath: WORKER, execArgv: ['--import', 'tsx'], env });
}

const client = testClient();
after(() => client.dispose());

const network = exampleNetwork('fashion_resnet20');
const FASHION_WEIGHTS = join(__dirname, '..', '..', '..', 'examples', 'fashion-mnist', 'resnet20.safetensors');
const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-worker-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const zeros = (label: string): InputSpec => ({ kind: 'tensor', label, data: new Float32Array(784), dims: [1, 1, 28, 28] });

async function expectError(promise: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InferenceError, String(error));
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

test('logits from the worker equal torch, and the second request reuses the session', async () => {
  const folder = referenceModels(['fashion_resnet20']);
  const { input, logits } = await referenceIo(folder, 'fashion_resnet20');
  const request = {
    network,
    weights: { kind: 'file' as const, path: join(folder, 'fashion_resnet20.safetensors') },
    ep: 'cpu' as const,
    inputs: [{ kind: 'tensor' as const, label: 'reference', data: input, dims: [1, 1, 28, 28] as [1, number, number, number] }],
  };
  const first = await client.infer(request);
  assert.ok(relativeError(first.results[0]!.logits!, logits) < 1e-4);
  assert.equal(first.session.cached, false);
  assert.equal(first.ep.ran, 'cpu');
  assert.ok((first.ep.nodesByEp.cpu ?? 0) > 20, JSON.stringify(first.ep.nodesByEp));
  assert.equal(first.weights.random, false);
  assert.ok(first.results[0]!.timings.runMs > 0);

  const second = await client.infer(request);
  assert.equal(second.session.cached, true);
  assert.deepEqual(second.results[0]!.logits, first.results[0]!.logits);
  assert.equal(second.ep.ran, 'cpu');
});

test('auto reports every failed attempt before the EP that ran', async () => {
  const env = { ...process.env };
  delete env.VK_ICD_FILENAMES;
  const plain = testClient(env);
  try {
    const result = await plain.infer({ network, weights: { kind: 'random', seed: 1 }, ep: 'auto', inputs: [zeros('a')] });
    assert.equal(result.weights.random, true);
    assert.match(result.weights.summary, /random weights/);
    const last = result.ep.attempts[result.ep.attempts.length - 1]!;
    assert.equal(last.ok, true);
    assert.equal(last.ep, result.ep.selected);
    for (const failed of result.ep.attempts.slice(0, -1)) assert.ok(failed.error, `${failed.ep} failed with a reason`);
  } finally {
    await plain.dispose();
  }
});

test('an explicit EP that cannot start is an error that says why and what to install', async () => {
  await expectError(
    client.infer({ network, weights: { kind: 'random', seed: 1 }, ep: 'cuda', inputs: [zeros('a')] }),
    'ep',
    /cannot start the cuda execution provider: .*(Failed to load|shared librar).*CUDA 12 and cuDNN 9/s,
  );
});

test('weights that do not fit, or do not exist, are errors with the report', async () => {
  const folder = referenceModels(['zeropad_mix']);
  await expectError(
    client.infer({ network, weights: { kind: 'file', path: join(folder, 'zeropad_mix.safetensors') }, ep: 'cpu', inputs: [zeros('a')] }),
    'weights',
    /Error\(s\) in loading state_dict for fashion_resnet20:\n\tMissing key\(s\)/,
  );
  await expectError(
    client.infer({ network, weights: { kind: 'file', path: join(folder, 'absent.safetensors') }, ep: 'cpu', inputs: [zeros('a')] }),
    'weights',
    /cannot read weights file .*absent\.safetensors: it does not exist \(ENOENT\)/,
  );
});

test('an input that cannot be used gets its own error; the others still run', async () => {
  const wrong: InputSpec = { kind: 'tensor', label: 'small', data: new Float32Array(100), dims: [1, 1, 10, 10] };
  const missing: InputSpec = { kind: 'image', path: join(__dirname, 'no-such-image.png') };
  const result = await client.infer({ network, weights: { kind: 'random', seed: 1 }, ep: 'cpu', inputs: [wrong, zeros('fine'), missing] });
  assert.deepEqual(result.results.map((r) => r.label), ['small', 'fine', missing.path]);
  assert.equal(result.results[0]!.error, 'small: tensor is 1×1×10×10, the network expects 1×1×28×28');
  assert.equal(result.results[1]!.logits!.length, 10);
  assert.match(result.results[2]!.error!, /no-such-image\.png/);
  assert.equal(result.results[2]!.logits, undefined);
});

test('without a preprocess section an image must already have the input size', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-worker-'));
  try {
    const small = join(folder, 'small.png');
    const exact = join(folder, 'exact.png');
    await sharp(Buffer.alloc(28 * 28 * 3, 90), { raw: { width: 28, height: 28, channels: 3 } }).png().toFile(small);
    await sharp(Buffer.alloc(32 * 32 * 3, 90), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(exact);
    const cifar = exampleNetwork('cifar_resnet20');
    assert.equal(cifar.preprocess, undefined);
    const result = await client.infer({
      network: cifar,
      weights: { kind: 'random', seed: 1 },
      ep: 'cpu',
      inputs: [{ kind: 'image', path: small }, { kind: 'image', path: exact }],
    });
    assert.match(result.results[0]!.error!, /3×28×28 but the network input is 3×32×32.*network cifar_resnet20 has no preprocess section yet, so images must already be 32×32/);
    assert.equal(result.results[1]!.logits!.length, 10);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a batched run gives each image the logits it gets alone, reports each batch in order, and keeps an unreadable image to itself', async () => {
  const shipped = join(__dirname, '..', '..', '..', 'examples', 'fashion-mnist', 'images');
  const paths = readdirSync(shipped).sort().map((f) => join(shipped, f));
  const broken = join(scratch, 'broken.png');
  writeFileSync(broken, 'not a png');
  paths.splice(5, 0, broken);
  const request = { network, weights: { kind: 'file' as const, path: FASHION_WEIGHTS }, ep: 'cpu' as const, inputs: paths.map((path) => ({ kind: 'image' as const, path })) };
  const alone = await client.infer({ ...request, batch: 1 });
  const batches: string[][] = [];
  const batched = await client.infer({ ...request, batch: 4 }, undefined, (results) => batches.push(results.map((r) => r.label)));
  assert.deepEqual(batches.map((b) => b.length), [4, 4, 4, 4, 4, 1]);
  assert.deepEqual(batches.flat(), paths);
  assert.deepEqual(batched.results.map((r) => r.label), paths);
  assert.match(batched.results[5]!.error!, /broken\.png/);
  for (const [i, result] of batched.results.entries()) {
    if (i === 5) continue;
    assert.deepEqual(result.logits, alone.results[i]!.logits, `${paths[i]}: logits in a batch of 4 and alone`);
    assert.ok(result.timings.runMs > 0 && result.timings.decodeMs > 0);
  }
});

test('a cancelled request rejects; the worker keeps serving', async () => {
  const controller = new AbortController();
  const pending = client.infer({ network, weights: { kind: 'random', seed: 2 }, ep: 'cpu', inputs: [zeros('a'), zeros('b')] }, controller.signal);
  controller.abort();
  await expectError(pending, 'cancelled', /cancelled/);
  const after = await client.infer({ network, weights: { kind: 'random', seed: 2 }, ep: 'cpu', inputs: [zeros('c')] });
  assert.equal(after.results.length, 1);
});

test('a worker crash fails the request in flight and the next request starts a fresh worker', async () => {
  const crashing = testClient();
  try {
    const pending = crashing.infer({ network, weights: { kind: 'random', seed: 3 }, ep: 'cpu', inputs: [zeros('a')] });
    const pid = crashing.workerPid!;
    process.kill(pid, 'SIGKILL');
    await expectError(pending, 'crash', /the inference worker was killed by SIGKILL/);
    const result = await crashing.infer({ network, weights: { kind: 'random', seed: 3 }, ep: 'cpu', inputs: [zeros('a')] });
    assert.notEqual(crashing.workerPid, pid);
    assert.equal(result.results.length, 1);
  } finally {
    await crashing.dispose();
  }
});

test('an image result carries the file size, and with includeSeenImage the pixels the network saw', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-worker-'));
  try {
    // 40×30 RGB, a horizontal ramp: the Fashion-MNIST network turns it gray, resizes to 28 and crops.
    const pixels = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < 40 * 30; i++) pixels.fill((i % 40) * 6, i * 3, i * 3 + 3);
    const path = join(folder, 'ramp.png');
    await sharp(pixels, { raw: { width: 40, height: 30, channels: 3 } }).png().toFile(path);
    const request = { network, weights: { kind: 'random' as const, seed: 1 }, ep: 'cpu' as const, inputs: [{ kind: 'image' as const, path }] };
    const plain = await client.infer(request);
    assert.equal(plain.results[0]!.seen, undefined);
    assert.deepEqual(plain.results[0]!.original, { width: 40, height: 30 });
    const shown = await client.infer({ ...request, includeSeenImage: true });
    const seen = shown.results[0]!.seen!;
    assert.deepEqual([seen.width, seen.height, seen.channels, seen.pixels.length], [28, 28, 1, 28 * 28]);
    assert.deepEqual(shown.results[0]!.original, { width: 40, height: 30 });
    assert.ok(seen.pixels[27]! > seen.pixels[0]!, 'the ramp still rises left to right');
    assert.deepEqual(shown.results[0]!.logits, plain.results[0]!.logits);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the thread count is part of a session\'s identity, and a cache size of 0 keeps no session', async () => {
  const own = testClient();
  try {
    const request = { network, weights: { kind: 'random' as const, seed: 3 }, ep: 'cpu' as const, inputs: [zeros('z')] };
    assert.equal((await own.infer(request)).session.cached, false);
    assert.equal((await own.infer(request)).session.cached, true);
    const oneThread = await own.infer({ ...request, threads: 1 });
    assert.equal(oneThread.session.cached, false);
    assert.deepEqual(oneThread.results[0]!.logits, (await own.infer(request)).results[0]!.logits);
    assert.equal((await own.infer({ ...request, threads: 1, sessionCacheSize: 0 })).session.cached, true);
    assert.equal((await own.infer({ ...request, threads: 1, sessionCacheSize: 0 })).session.cached, false);
  } finally {
    await own.dispose();
  }
});

test('a network crosses to the worker whole once, then by key; one the worker no longer keeps crosses again', async () => {
  const own = testClient();
  try {
    // Each analysis makes its own Network object: copies of one network share a session.
    const copies = Array.from({ length: NETWORKS_KEPT + 1 }, () => exampleNetwork('fashion_resnet20'));
    const run = (n: typeof network) => own.infer({ network: n, weights: { kind: 'random', seed: 5 }, ep: 'cpu', inputs: [zeros('a')] });
    const first = await run(copies[0]!);
    const sent: boolean[] = [];
    const child = (own as unknown as { child: { send(message: WorkerRequest): boolean } }).child;
    const send = child.send.bind(child);
    child.send = (message) => {
      if (message.type === 'infer') sent.push(message.network !== undefined);
      return send(message);
    };
    for (const n of [copies[0]!, ...copies.slice(1), copies[NETWORKS_KEPT]!, copies[0]!]) {
      const result = await run(n);
      assert.equal(result.session.cached, true);
      assert.deepEqual(result.results[0]!.logits, first.results[0]!.logits);
    }
    // The first copy again by key; each other copy whole; the last again by key; the first, by then
    // the oldest of NETWORKS_KEPT + 1, whole.
    assert.deepEqual(sent, [false, ...copies.slice(1).map(() => true), false, true]);
  } finally {
    await own.dispose();
  }
});

test('a worker started ahead serves the first request; a request without inputs builds the session the next one reuses', async () => {
  const early = testClient();
  try {
    early.start();
    const pid = early.workerPid;
    assert.ok(pid !== undefined, 'start() forks the worker');
    early.start();
    assert.equal(early.workerPid, pid, 'a second start() keeps the running worker');
    const weights = { kind: 'random' as const, seed: 7 };
    const prepared = await early.infer({ network, weights, ep: 'cpu', inputs: [] });
    assert.deepEqual(prepared.results, []);
    assert.equal(prepared.session.cached, false);
    const run = await early.infer({ network, weights, ep: 'cpu', inputs: [zeros('a')] });
    assert.equal(run.session.cached, true, 'the run reuses the session built without inputs');
    assert.equal(run.results[0]!.logits!.length, 10);
    assert.equal(early.workerPid, pid);
  } finally {
    await early.dispose();
  }
});

test('a worker started ahead and never asked is stopped at once by dispose', async () => {
  const early = testClient();
  early.start();
  const pid = early.workerPid!;
  const started = performance.now();
  await early.dispose();
  assert.equal(early.workerPid, undefined);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the worker process is gone');
  assert.ok(performance.now() - started < 5000, 'dispose did not wait for the kill timer');
});

test("the worker's glibc malloc settings are added to GLIBC_TUNABLES, the caller's own values kept", { skip: process.platform !== 'linux' }, () => {
  assert.equal(workerEnv({}, false).GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432');
  assert.equal(
    workerEnv({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536:glibc.cpu.hwcaps=-AVX512F' }, false).GLIBC_TUNABLES,
    'glibc.malloc.mmap_threshold=65536:glibc.cpu.hwcaps=-AVX512F:glibc.malloc.hugetlb=1',
  );
  assert.equal(workerEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0:glibc.malloc.mmap_threshold=1' }, false).GLIBC_TUNABLES, 'glibc.malloc.hugetlb=0:glibc.malloc.mmap_threshold=1');
});
