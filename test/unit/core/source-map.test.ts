// The source map: statements of the file and of the prelude ↔ the model nodes they made.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, prelude } from '../../../language/core/analysis';
import { statementOf } from '../../../language/core/source-map';
import type { Span } from '../../../language/core/syntax';
import { allNodes } from '../../../language/core/walk';

const text = `block pair(planes, stride=1) {
  conv1 conv(planes, kernel=3, stride=stride, padding=1)
  bn1   batchnorm
  + shortcut
}

network n {
  input 3x32x32
  stem   conv(16, kernel=3, padding=1)
  layer1 pair(16) x2
  layer2 pair(32, stride=2)
  tail   basic(32)
}
`;
const analysis = analyze(text);
const [network] = analysis.networks;
/** The span of the statement that starts with `needle`. */
const statement = (needle: string): Span => {
  const start = text.indexOf(needle);
  return { start, end: text.indexOf('\n', start) };
};
const names = (source: 'file' | 'prelude', span: Span) => analysis.sourceMap.nodesOf(source, span).map((p) => `${p.node.kind} ${p.node.name}`);

test('a statement of the network made one node: a stage stands for its blocks', () => {
  assert.deepEqual(analysis.diagnostics, []);
  assert.deepEqual(names('file', statement('stem')), ['layer stem']);
  assert.deepEqual(names('file', statement('layer1')), ['stage layer1']);
  assert.deepEqual(names('file', statement('input')), []);
  assert.equal(analysis.sourceMap.nodesOf('file', statement('layer2'))[0]?.network, network);
});

test('a statement inside a block made a node in every instance, in network order; an add stands for its projection', () => {
  assert.deepEqual(names('file', statement('conv1 conv')), ['layer layer1.0.conv1', 'layer layer1.1.conv1', 'layer layer2.conv1']);
  assert.deepEqual(names('file', statement('+ shortcut')), ['add layer1.0', 'add layer1.1', 'add layer2']);
});

test('a prelude block statement maps to the nodes its calls made', () => {
  const basic = prelude().tree.declarations.find((d) => d.kind === 'block' && d.name.kind === 'identifier' && d.name.text === 'basic')!;
  const conv2 = basic.body.statements.find((s) => s.kind === 'call' && s.name?.text === 'conv2')!;
  assert.deepEqual(names('prelude', conv2.span), ['layer tail.conv2']);
});

test('each node knows its statement, and the statement lists the node (or the node that stands for it)', () => {
  for (const node of allNodes(network.children)) {
    const where = statementOf(node);
    const listed = analysis.sourceMap.nodesOf(where.source, where.span).map((p) => p.node);
    const standsFor = listed.some((n) => [...allNodes([n])].includes(node));
    assert.ok(standsFor, `${node.name || node.kind} is made by its statement`);
  }
  const conv1 = [...allNodes(network.children)].find((n) => n.name === 'layer2.conv1')!;
  assert.deepEqual(statementOf(conv1), { source: 'file', span: statement('conv1 conv') });
  assert.deepEqual(conv1.range, statement('layer2'), 'a node inside a block keeps its call site as its range');
});
