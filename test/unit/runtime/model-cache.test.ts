// The disk cache of optimized models (engine/runtime/model-cache.ts): keys follow the weights' content,
// the network and the file's name; the cache stays bounded; and a session created from a stored
// model gives the logits of the session that stored it, bit for bit.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { INPUT_NAME, OUTPUT_NAME } from '../../../engine/onnx/build';
import { SafetensorsFile } from '../../../engine/onnx/safetensors';
import { fileDigest, MODEL_FILE, ModelCache } from '../../../engine/runtime/model-cache';
import { SessionCache } from '../../../engine/runtime/session-cache';
import { EXAMPLES, exampleNetwork } from '../onnx/example-networks';

const scratch = mkdtempSync(join(tmpdir(), 'resnet-studio-model-cache-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string) => {
  const folder = join(scratch, `${name}${counter++}`);
  mkdirSync(folder);
  return folder;
};
const FASHION_WEIGHTS = join(EXAMPLES, 'fashion-mnist', 'resnet20.safetensors');
const info = { weights: { random: false, summary: 's', details: '', problems: [] }, graph: [] };

/** A file whose modification time is an hour ago, so the digest recorded for it is trusted. */
function writeOld(path: string, content: string): string {
  writeFileSync(path, content);
  const past = new Date(Date.now() - 3600_000);
  utimesSync(path, past, past);
  return path;
}

test('a file is hashed once while it stays as it is, and again once it is written, even to the same size and time', () => {
  const root = fresh('root');
  const cache = new ModelCache(root, 'test');
  const file = writeOld(join(fresh('files'), 'w.safetensors'), 'first content');
  const digest = cache.weightsDigest(file);
  assert.equal(digest, fileDigest(file));

  // The recorded digest is what a second look returns: replace it and see it come back.
  const [record] = readdirSync(join(root, 'digests'));
  const recordPath = join(root, 'digests', record!);
  writeFileSync(recordPath, JSON.stringify({ ...JSON.parse(readFileSync(recordPath, 'utf8')), digest: 'remembered' }));
  assert.equal(cache.weightsDigest(file), 'remembered');

  // Other bytes of the same length, and the old modification time put back: the change time still moved.
  const { mtime } = statSync(file);
  writeFileSync(file, 'other content');
  utimesSync(file, mtime, mtime);
  assert.equal(cache.weightsDigest(file), fileDigest(file));
  assert.notEqual(fileDigest(file), digest);

  // Asked for the file as it was when a compile read it: no digest once it has been written since.
  const identity = cache.identity(file);
  assert.equal(cache.weightsDigest(file, identity), fileDigest(file));
  writeFileSync(file, 'third content!');
  assert.equal(cache.weightsDigest(file, identity), undefined);
});

test('keys follow the content, the network and the name of the weights file, not its folder', () => {
  const cache = new ModelCache(fresh('root'), 'test');
  const a = writeOld(join(fresh('a'), 'w.safetensors'), 'weights');
  const copy = join(fresh('b'), 'w.safetensors');
  copyFileSync(a, copy);
  const renamed = join(fresh('c'), 'v.safetensors');
  copyFileSync(a, renamed);
  const other = writeOld(join(fresh('d'), 'w.safetensors'), 'weightz');
  const key = (network: string, path: string, on = cache) => on.key(network, path, on.weightsDigest(path)!);
  assert.equal(key('net', a), key('net', copy));
  assert.notEqual(key('net', a), key('net2', a));
  assert.notEqual(key('net', a), key('net', renamed));
  assert.notEqual(key('net', a), key('net', other));
  assert.notEqual(key('net', a), key('net', a, new ModelCache(fresh('root'), 'another onnxruntime')));
});

test('the cache keeps the most recently used entries, and removes unfinished ones left behind', () => {
  const root = fresh('root');
  const cache = new ModelCache(root, 'test', 2);
  const store = (key: string) => {
    const pending = cache.begin()!;
    writeFileSync(join(pending.folder, MODEL_FILE), key);
    cache.commit(pending, key, info);
  };
  const past = new Date(Date.now() - 2 * 3600_000);
  const abandoned = join(root, 'tmp-1-abandoned');
  mkdirSync(abandoned);
  utimesSync(abandoned, past, past);
  store('a');
  store('b');
  // Used since: 'a' outlives 'b' when 'c' comes.
  utimesSync(join(root, 'b', 'entry.json'), past, past);
  assert.ok(cache.lookup('a'));
  store('c');
  assert.deepEqual(readdirSync(root).filter((n) => n !== 'digests').sort(), ['a', 'c']);
  assert.equal(cache.lookup('b'), undefined);
  assert.equal(readFileSync(cache.lookup('c')!.modelPath, 'utf8'), 'c');
  assert.ok(!existsSync(abandoned));
});

test('a cache folder that cannot be made stores nothing and fails nothing', () => {
  const blocker = join(fresh('root'), 'a-file');
  writeFileSync(blocker, '');
  const cache = new ModelCache(join(blocker, 'models'), 'test');
  assert.equal(cache.begin(), undefined);
  assert.equal(cache.lookup('k'), undefined);
});

test('a session from the stored model gives the logits of the one that stored it; a damaged entry is compiled and stored again', async () => {
  const network = exampleNetwork('fashion_resnet20');
  const weightsPath = join(fresh('weights'), 'resnet20.safetensors');
  copyFileSync(FASHION_WEIGHTS, weightsPath);
  const cache = new ModelCache(fresh('root'), 'test');
  const input = new ort.Tensor('float32', new Float32Array(784).map((_, i) => Math.cos(i)), [1, 1, 28, 28]);
  const fromFreshWorker = async () => {
    const sessions = new SessionCache(2, cache);
    try {
      const { entry, timings } = await sessions.get(network, { kind: 'file', path: weightsPath }, 'cpu', 2);
      const logits = (await entry.session.run({ [INPUT_NAME]: input }))[OUTPUT_NAME]!.data as Float32Array;
      return { logits: [...logits], timings, weights: entry.weights, ep: entry.ep.selected };
    } finally {
      await sessions.dispose();
    }
  };
  const first = await fromFreshWorker();
  assert.equal(first.timings.modelCache, 'stored');
  const second = await fromFreshWorker();
  assert.equal(second.timings.modelCache, 'hit');
  assert.equal(second.timings.compileMs, 0);
  assert.equal(second.ep, 'cpu');
  assert.deepEqual(second.logits, first.logits);
  assert.deepEqual(second.weights, first.weights);

  const [key] = readdirSync(cache.root).filter((n) => n !== 'digests');
  writeFileSync(join(cache.root, key!, MODEL_FILE), 'not a model');
  const third = await fromFreshWorker();
  assert.equal(third.timings.modelCache, 'stored');
  assert.deepEqual(third.logits, first.logits);
  assert.equal((await fromFreshWorker()).timings.modelCache, 'hit');

  // Other weights in the same file (the classifier's negated): compiled again, and their own logits.
  const file = await SafetensorsFile.open(weightsPath);
  const { begin, end } = file.header.tensors.get('fc.weight')!;
  await file.close();
  const bytes = readFileSync(weightsPath);
  for (let sign = begin + 3; sign < end; sign += 4) bytes[sign]! ^= 0x80;
  writeFileSync(weightsPath, bytes);
  const changed = await fromFreshWorker();
  assert.equal(changed.timings.modelCache, 'stored');
  assert.notDeepEqual(changed.logits, first.logits);
});

test('a class-map session is stored as its own entry: from the cache it gives the same logits, feature map and classifier weight', async () => {
  const network = exampleNetwork('fashion_resnet20');
  const weightsPath = join(fresh('weights'), 'resnet20.safetensors');
  copyFileSync(FASHION_WEIGHTS, weightsPath);
  const cache = new ModelCache(fresh('root'), 'test');
  const input = new ort.Tensor('float32', new Float32Array(784).map((_, i) => Math.sin(i)), [1, 1, 28, 28]);
  const fromFreshWorker = async (cam: boolean) => {
    const sessions = new SessionCache(2, cache);
    try {
      const { entry, timings } = await sessions.get(network, { kind: 'file', path: weightsPath }, 'cpu', 2, { cam });
      const outputs = await entry.session.run({ [INPUT_NAME]: input });
      const features = entry.cam ? [...(outputs[entry.cam.output]!.data as Float32Array)] : undefined;
      return { logits: [...(outputs[OUTPUT_NAME]!.data as Float32Array)], features, weight: entry.cam && [...entry.cam.weight], head: entry.cam?.head.weightKey, timings };
    } finally {
      await sessions.dispose();
    }
  };
  const plain = await fromFreshWorker(false);
  const first = await fromFreshWorker(true);
  assert.equal(first.timings.modelCache, 'stored', 'the class-map variant is not the plain entry');
  assert.equal(first.head, 'fc.weight');
  assert.equal(first.weight!.length, 10 * 64);
  const second = await fromFreshWorker(true);
  assert.equal(second.timings.modelCache, 'hit');
  assert.deepEqual(second.logits, first.logits);
  assert.deepEqual(second.features, first.features);
  assert.deepEqual(second.weight, first.weight);
  assert.deepEqual(first.logits, plain.logits);
  assert.equal((await fromFreshWorker(false)).timings.modelCache, 'hit');

  // A classifier weight cut short, or gone: compiled and stored again, never a map from a partial weight.
  for (const damage of [(path: string) => writeFileSync(path, readFileSync(path).subarray(0, 100)), (path: string) => rmSync(path)]) {
    const entries = readdirSync(cache.root).filter((n) => existsSync(join(cache.root, n, 'cam-weight.bin')));
    assert.equal(entries.length, 1);
    damage(join(cache.root, entries[0]!, 'cam-weight.bin'));
    const again = await fromFreshWorker(true);
    assert.equal(again.timings.modelCache, 'stored');
    assert.deepEqual(again.weight, first.weight);
  }
});
