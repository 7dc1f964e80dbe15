// Hostile input: the analysis returns diagnostics, never throws, hangs or overflows the stack.
// The mutation fuzzer runs for FUZZ_SECONDS (default 5) with a printed, reproducible seed.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { exampleFiles } from '../examples';

const limit = { timeout: 120_000 };

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const codes = (text: string) => analyze(text).diagnostics.map((d) => d.code);

test('random bytes give diagnostics', limit, () => {
  const random = mulberry32(1);
  const bytes = Buffer.from(Array.from({ length: 100_000 }, () => Math.floor(random() * 256)));
  const result = analyze(bytes.toString('latin1'));
  assert.ok(result.diagnostics.length > 0);
  assert.ok(result.diagnostics.length <= 1000, `a bounded number of diagnostics, got ${result.diagnostics.length}`);
  analyze(bytes.toString('utf8'));
});

test('a 10 MB file is analysed', limit, () => {
  const layer = '  c conv(8, padding=1)\n';
  const text = 'network big {\n  input 8x8x8\n' + Array.from({ length: Math.ceil(10e6 / layer.length) }, (_, i) => layer.replace('c ', `c${i} `)).join('') + '}\n';
  assert.ok(text.length >= 10e6);
  const result = analyze(text);
  assert.equal(result.networks.length, 1);
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['RS0203']);
});

test('deep nesting is refused, not recursed into', limit, () => {
  const depth = 10_000;
  assert.ok(codes(`network n {\n  input 3x8x8\n  c conv(${'('.repeat(depth)}8${')'.repeat(depth)})\n}\n`).includes('RS0004'));
  assert.ok(codes(`network n {\n  input 3x8x8\n  c conv(${'['.repeat(depth)})\n}\n`).length > 0);
  assert.ok(codes(`network n {\n  input 3x8x8\n  c conv(8 ${'+ -'.repeat(depth)} 1)\n}\n`).includes('RS0004'));
  assert.ok(codes(`network n {\n  input 3x8x8\n  c conv(8 ${'+ 1'.repeat(depth)})\n}\n`).includes('RS0004'));
  assert.ok(codes('{'.repeat(depth) + '}'.repeat(depth)).length > 0);
  const chain = Array.from({ length: 200 }, (_, i) => `block b${i}(c) {\n  x b${i + 1}(c)\n}\n`).join('') + 'block b200(c) {\n  conv1 conv(c)\n}\nnetwork n {\n  input 3x8x8\n  top b0(4)\n}\n';
  assert.ok(codes(chain).includes('RS0004'));
});

test('unterminated strings, NUL bytes, CRLF and lone CR', limit, () => {
  assert.ok(codes('network n {\n  input 3x8x8\n  weights "abc\n}\n').includes('RS0002'));
  assert.ok(codes('network n {\n  input 3x8x8\n  c conv(8)\u0000\n}\n').includes('RS0003'));
  const crlf = 'network n {\r\n  input 3x8x8\r\n  c conv(8, padding=1)\r\n  x convv(8)\r\n}\r\n';
  const mixed = crlf.replace(/\r\n/g, (_, i) => (i % 2 ? '\r' : '\n'));
  for (const text of [crlf, mixed]) {
    const d = analyze(text).diagnostics;
    assert.deepEqual(d.map((x) => [x.code, x.range.start.line, x.range.start.character]), [['RS0101', 3, 4]]);
  }
});

test('huge numbers are values out of range, not allocations', limit, () => {
  assert.ok(codes('network n {\n  input 3x8x8\n  c conv(1e308)\n}\n').includes('RS0304'));
  assert.ok(codes('network n {\n  input 3x8x8\n  c conv(1e999)\n}\n').includes('RS0301'));
  assert.ok(codes('network n {\n  input 3x99999999999x8\n  c conv(8)\n}\n').includes('RS0204'));
  assert.ok(codes('network n {\n  input 64x8x8\n  l basic(64) x99999999999999999999\n}\n').includes('RS0203'));
});

test('mutation fuzzing of the examples', limit, () => {
  const seconds = Number(process.env.FUZZ_SECONDS ?? 5);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  const random = mulberry32(seed);
  const corpus = exampleFiles.map((f) => readFileSync(f, 'utf8'));
  const pieces = ['(', ')', '{', '}', '[', ']', '+ ', 'x3', '=', ',', '\n', '"', '#', '//', 'network ', 'block ', 'input ', '1e9', '0', '-1', 'identity', 'basic(', 'conv(', 'stride=2', '\u0000', '\r'];
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const end = Date.now() + seconds * 1000;
  let executions = 0;
  while (Date.now() < end) {
    let text = pick(corpus);
    const mutations = 1 + Math.floor(random() * 8);
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(random() * text.length);
      const kind = random();
      if (kind < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 20));
      else if (kind < 0.6) text = text.slice(0, at) + pick(pieces) + text.slice(at);
      else if (kind < 0.8) {
        const other = pick(corpus);
        const from = Math.floor(random() * other.length);
        text = text.slice(0, at) + other.slice(from, from + Math.floor(random() * 200)) + text.slice(at);
      } else text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + text.slice(at + 1);
    }
    try {
      const result = analyze(text);
      for (const d of result.diagnostics) assert.ok(d.range.start.line >= 0 && d.message.length > 0);
    } catch (error) {
      assert.fail(`seed ${seed}, execution ${executions}: analyze threw ${(error as Error).stack}\n--- input ---\n${text}`);
    }
    executions++;
  }
  console.log(`fuzz: ${executions} executions in ${seconds}s, seed ${seed}, 0 crashes`);
});
