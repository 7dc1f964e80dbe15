// From the editor's cursor to the diagram, from a search to nodes, and the layer table.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { buildGraph } from '../../../language/core/graph';
import { elementAt, searchGraph } from '../../../webview/locate';
import { formatShare, nextSort, sortRows, tableRows } from '../../../webview/table';

const text = readFileSync(join(__dirname, '../../fixtures/graph/resnet50.resnet'), 'utf8');
const analysis = analyze(text);
const graph = buildGraph(analysis.networks[0], analysis.diagnostics);
/** The offset of a character of the line holding `needle`. */
const at = (needle: string, character: number) => analysis.lines.offset({ line: text.split('\n').findIndex((l) => l.includes(needle)), character });

test('the cursor on a statement selects what it wrote: a layer, or the stage (not its inner layers)', () => {
  assert.equal(elementAt(graph, at('conv1   conv', 4)), 'n:conv1');
  assert.equal(elementAt(graph, at('layer3  bottleneck', 12)), 'g:layer3');
  assert.equal(elementAt(graph, at('fc      linear', 0)), undefined, 'the indentation is outside the statement');
  assert.equal(elementAt(graph, at('fc      linear', 2)), 'n:fc');
  assert.equal(elementAt(graph, 0), undefined, 'a comment above the network');
});

test('search finds layers by name in diagram order; a matching stage stands for its members', () => {
  assert.deepEqual(searchGraph(graph, 'downsample.0'), ['n:layer1.0.downsample.0', 'n:layer2.0.downsample.0', 'n:layer3.0.downsample.0', 'n:layer4.0.downsample.0']);
  assert.deepEqual(searchGraph(graph, 'LAYER3'), ['g:layer3']);
  assert.deepEqual(searchGraph(graph, 'layer3.5.conv'), ['n:layer3.5.conv1', 'n:layer3.5.conv2', 'n:layer3.5.conv3']);
  assert.deepEqual(searchGraph(graph, 'layer2.1'), ['g:layer2.1']);
  assert.deepEqual(searchGraph(graph, 'fc'), ['n:fc']);
  assert.deepEqual(searchGraph(graph, '  '), []);
  assert.deepEqual(searchGraph(graph, 'nothing-like-this'), []);
});

test('table: one row per layer, shares sum to one, sorting by MACs puts the heaviest first', () => {
  const rows = tableRows(graph);
  assert.equal(rows.length, graph.nodes.filter((n) => n.kind === 'layer' || n.kind === 'shortcut').length);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;
  assert.ok(close(rows.reduce((s, r) => s + r.paramsShare, 0), 1));
  assert.ok(close(rows.reduce((s, r) => s + r.macsShare, 0), 1));
  assert.deepEqual(rows[0], { id: 'n:conv1', order: 0, name: 'conv1', type: 'conv(7×7, 64, /2)', shape: '64×112×112', params: 9408, paramsShare: 9408 / graph.params, macs: 118013952, macsShare: 118013952 / graph.macs });
  const byMacs = sortRows(rows, nextSort({ key: 'order', descending: false }, 'macs'));
  const heaviest = Math.max(...rows.map((r) => r.macs));
  assert.equal(byMacs[0].macs, heaviest);
  for (let i = 1; i < byMacs.length; i++) assert.ok(byMacs[i - 1].macs >= byMacs[i].macs);
  const ascending = sortRows(rows, nextSort({ key: 'macs', descending: true }, 'macs'));
  assert.equal(ascending[0].macs, 0);
  const byName = sortRows(rows, nextSort({ key: 'macs', descending: true }, 'name'));
  assert.equal(byName[0].name, 'avgpool');
  assert.equal(formatShare(0.1234), '12.3%');
  assert.equal(formatShare(0.0001234), '0.01%');
});
