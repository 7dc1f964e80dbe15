// The server under abuse: thousands of rapid edits, a document closed while its analysis is pending,
// a 10 MB file, files named by `weights`, and the inlay-hint setting. It must keep answering and
// publish diagnostics for the newest text only.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Hover, InlayHint, Location } from 'vscode-languageserver-protocol';
import { preludeText } from '../../language/core/prelude';
import { repoRoot, TestServer } from './server';

const resnet152 = readFileSync(join(repoRoot, 'examples/resnet152.resnet'), 'utf8');
let server: TestServer;
before(async () => {
  server = await TestServer.start();
});
after(() => server.stop());

const hoverAt = (uri: string, line: number, character: number) => server.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });

test('after 2000 rapid edits the diagnostics are those of the last text, and hovers still answer', async () => {
  const uri = 'untitled:rapid.resnet';
  server.open(uri, resnet152);
  await server.diagnosticsFor(uri, (p) => p.version === 1);
  let version = 1;
  // Alternate a broken and a fixed channel count; the last edit leaves it broken.
  for (let i = 0; i < 2000; i++) version = server.change(uri, i % 2 === 0 ? resnet152 : resnet152.replace('linear(1000)', 'linear(1000, in=7)'));
  const last = await server.diagnosticsFor(uri, (p) => p.version === version);
  assert.deepEqual(last.diagnostics.map((d) => d.code), ['RS0506']);
  const published = (server as unknown as { diagnostics: Map<string, unknown[]> }).diagnostics.get(uri)!.length;
  assert.ok(published < 2000, `edits were coalesced (${published} publishes for 2001 versions)`);
  const hover = await hoverAt(uri, resnet152.split('\n').findIndex((l) => l.includes('conv1')), 3);
  assert.match((hover?.contents as { value: string }).value, /3×224×224 → 64×112×112/);
  server.close(uri);
});

test('a document closed right after a change gets empty diagnostics and no stale ones after', async () => {
  const uri = 'untitled:closing.resnet';
  server.open(uri, resnet152.replace('input 3x224x224', ''));
  server.change(uri, resnet152.replace('linear(1000)', 'linear(1000, in=7)'));
  server.close(uri);
  const cleared = await server.diagnosticsFor(uri, (p) => p.diagnostics.length === 0);
  assert.equal(cleared.version, undefined);
  // The server is still answering: a request on the closed document returns nothing, quickly.
  assert.equal(await hoverAt(uri, 2, 3), null);
  const received = (server as unknown as { diagnostics: Map<string, { diagnostics: unknown[] }[]> }).diagnostics.get(uri)!;
  assert.equal(received.at(-1)!.diagnostics.length, 0, 'nothing was published for the closed document after it was cleared');
});

test('a 10 MB file gets one clear diagnostic and the server keeps answering other documents', async () => {
  const uri = 'untitled:huge.resnet';
  const huge = (resnet152 + '\n').repeat(Math.ceil((10 * 1024 * 1024) / resnet152.length));
  const started = Date.now();
  server.open(uri, huge);
  const published = await server.diagnosticsFor(uri, (p) => p.version === 1);
  assert.equal(published.diagnostics.length, 1);
  assert.match(published.diagnostics[0].message, /^This file is 10\.\d MB: ResNet Studio analyses \.resnet files up to 512 KB\.$/);
  assert.equal(await hoverAt(uri, 3, 3), null);
  const small = 'untitled:beside-huge.resnet';
  server.open(small, resnet152);
  await server.diagnosticsFor(small, (p) => p.version === 1);
  assert.ok(Date.now() - started < 15_000, 'the server answered within 15 s');
  server.close(uri);
  server.close(small);
});

test('weights: a missing file and a folder are reported, a readable file is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-lsp-'));
  try {
    writeFileSync(join(dir, 'present.safetensors'), 'not loaded, only checked');
    mkdirSync(join(dir, 'folder.safetensors'));
    const cases = { 'present.safetensors': [], 'missing.safetensors': ["The weights file 'missing.safetensors' does not exist (paths are relative to this file)."], 'folder.safetensors': ["The weights file 'folder.safetensors' is a folder, not a file."] };
    for (const [path, expected] of Object.entries(cases)) {
      const uri = pathToFileURL(join(dir, `net-${path}.resnet`)).href;
      server.open(uri, `network n {\n  input 3x8x8\n  weights "${path}"\n  pool avgpool\n  fc linear(2)\n}\n`);
      const published = await server.diagnosticsFor(uri, (p) => p.version === 1);
      assert.deepEqual(published.diagnostics.map((d) => d.message), expected, path);
      if (expected.length) assert.deepEqual(published.diagnostics[0].range, { start: { line: 2, character: 10 }, end: { line: 2, character: 12 + path.length } });
      server.close(uri);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inlay hints follow the resnetStudio.inlayHints.enabled setting', async () => {
  const off = await TestServer.start({ settings: { inlayHints: { enabled: false } } });
  const on = await TestServer.start({ settings: { inlayHints: { enabled: true } } });
  try {
    const request = async (s: TestServer) => {
      const uri = 'untitled:hints.resnet';
      s.open(uri, resnet152);
      return s.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } } });
    };
    assert.deepEqual(await request(off), []);
    const hints = await request(on);
    assert.ok(hints.some((h) => h.label === '→ 1000'), 'the fc line shows the logits shape');
  } finally {
    await Promise.all([off.stop(), on.stop()]);
  }
});

test('the server registers for setting changes only with a client that takes dynamic registrations', async () => {
  const vscodeLike = await TestServer.start({ settings: { inlayHints: { enabled: true } } });
  const neovimLike = await TestServer.start({ settings: { inlayHints: { enabled: true } }, dynamicRegistration: false });
  try {
    // A request answered means the server has long handled 'initialized'.
    for (const s of [vscodeLike, neovimLike]) {
      s.open('untitled:r.resnet', resnet152);
      await s.request('textDocument/hover', { textDocument: { uri: 'untitled:r.resnet' }, position: { line: 0, character: 0 } });
    }
    assert.deepEqual(vscodeLike.registrations, ['workspace/didChangeConfiguration']);
    assert.deepEqual(neovimLike.registrations, []);
  } finally {
    await Promise.all([vscodeLike.stop(), neovimLike.stop()]);
  }
});

test('go to definition on a prelude block gives a file any client can open, unless the client serves the prelude', async () => {
  const text = 'network n {\n  input 3x32x32\n  layer1 basic(3)\n}\n';
  const definition = async (s: TestServer) => {
    s.open('untitled:d.resnet', text);
    return s.request<Location | null>('textDocument/definition', { textDocument: { uri: 'untitled:d.resnet' }, position: { line: 2, character: 11 } });
  };
  const neovimLike = await TestServer.start({ servesPrelude: false });
  const vscodeLike = await TestServer.start();
  try {
    const file = await definition(neovimLike);
    assert.ok(file && file.uri.startsWith('file:'), `a file: URI, got ${file?.uri}`);
    const lines = readFileSync(fileURLToPath(file.uri), 'utf8').split('\n');
    assert.equal(lines.join('\n'), preludeText);
    assert.match(lines[file.range.start.line]!.slice(file.range.start.character), /^basic\(/);
    assert.equal((await definition(vscodeLike))?.uri, 'resnet-prelude:/prelude.resnet');
  } finally {
    await Promise.all([neovimLike.stop(), vscodeLike.stop()]);
  }
});
