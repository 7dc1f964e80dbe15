// How updates map to what is drawn: the last good diagram through a broken edit, resets on a switch.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { graphResult } from '../../../language/server/graph';
import { reconcile } from '../../../webview/reconcile';

const text = readFileSync(join(__dirname, '../../fixtures/graph/resnet50.resnet'), 'utf8');
const uri = 'file:///w/resnet50.resnet';
const resultOf = (source: string, at = uri, network?: string) => graphResult(analyze(source), at, 1, network);

test('a valid update is drawn and remembered; a broken one keeps it, dimmed', () => {
  const first = reconcile({ uri }, undefined, resultOf(text));
  assert.equal(first.graph?.network, 'resnet50');
  assert.equal(first.stale, false);
  assert.equal(first.switched, false);
  assert.equal(first.lastGood?.graph, first.graph);

  const broken = reconcile(first.shown, first.lastGood, resultOf(text.replace('bottleneck(256) x6', 'bottleneck(256 x6')));
  assert.equal(broken.graph, first.graph, 'the last good graph');
  assert.equal(broken.stale, true);
  assert.equal(broken.switched, false);

  // Even when the edit breaks the network's own header (no network parses at all).
  const headless = reconcile(first.shown, first.lastGood, resultOf(text.replace('network resnet50 {', 'network {')));
  assert.equal(headless.graph, first.graph);
  assert.equal(headless.stale, true);
  assert.equal(headless.switched, false);
  assert.equal(headless.shown.network, 'resnet50');

  // Renaming the network while typing is the same network, not a switch.
  const renamed = reconcile(first.shown, first.lastGood, resultOf(text.replace('network resnet50 {', 'network resnet5 {')));
  assert.equal(renamed.graph?.network, 'resnet5');
  assert.equal(renamed.switched, false);

  const fixed = reconcile(broken.shown, broken.lastGood, resultOf(text.replace('linear(1000)', 'linear(10)')));
  assert.equal(fixed.stale, false);
  assert.equal(fixed.graph?.nodes.find((n) => n.id === 'n:fc')?.args, '2048→10');
});

test('a file broken from the start shows what survived, not as a kept diagram', () => {
  const partial = reconcile({ uri }, undefined, resultOf(text.replace('bottleneck(256) x6', 'bottleneck(256 x6')));
  assert.ok(partial.graph);
  assert.equal(partial.stale, false);
  assert.equal(partial.lastGood, undefined);
});

test('another file or another network is a switch; the last good graph of another file is dropped', () => {
  const first = reconcile({ uri }, undefined, resultOf(text));
  const other = reconcile(first.shown, first.lastGood, resultOf(text.replace('bottleneck(256) x6', 'bottleneck(256 x6'), 'file:///w/other.resnet'));
  assert.equal(other.switched, true);
  assert.equal(other.stale, false, 'the other file has no last good diagram');
  assert.equal(other.lastGood, undefined);

  const two = `${text}\nnetwork tiny {\n  input 3x8x8\n  fc linear(2)\n}\n`;
  const a = reconcile({ uri }, undefined, resultOf(two));
  const b = reconcile(a.shown, a.lastGood, resultOf(two, uri, 'tiny'));
  assert.equal(b.graph?.network, 'tiny');
  assert.equal(b.switched, true);
  // Restored after a restart: the same file and network as the saved state is no switch.
  assert.equal(reconcile({ uri, network: 'resnet50' }, undefined, resultOf(text)).switched, false);
});
