// Graph building: the fixture networks printed node by node (test/fixtures/graph/*.expected), and
// properties every example network must have.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { buildGraph, tensorLabel } from '../../../language/core/graph';
import { allNodes } from '../../../language/core/walk';
import { graphResult } from '../../../language/server/graph';
import { expectFixture, fixtureCases } from '../fixtures';
import { printGraph } from './print';

const fixtures = join(__dirname, '../../fixtures/graph');
const examples = join(__dirname, '../../../examples');

for (const file of fixtureCases(fixtures)) {
  test(`graph fixture: ${file.split('/').pop()}`, () => {
    const analysis = analyze(readFileSync(file, 'utf8'));
    expectFixture(file, analysis.networks.map((n) => printGraph(buildGraph(n, analysis.diagnostics, analysis.text), analysis.lines)).join('\n'));
  });
}

function graphOf(file: string) {
  const analysis = analyze(readFileSync(file, 'utf8'));
  return { analysis, graph: buildGraph(analysis.networks[0], analysis.diagnostics) };
}

test('resnet50: sixteen bottlenecks in four stages, each with an add fed by its block input', () => {
  const { graph } = graphOf(join(fixtures, 'resnet50.resnet'));
  const stages = graph.groups.filter((g) => g.kind === 'stage');
  assert.deepEqual(stages.map((s) => [s.name, s.repeat]), [['layer1', 3], ['layer2', 4], ['layer3', 6], ['layer4', 3]]);
  const blocks = graph.groups.filter((g) => g.kind === 'block');
  assert.equal(blocks.length, 16);
  const adds = graph.nodes.filter((n) => n.kind === 'add');
  assert.equal(adds.length, 16);
  // The first block of each stage projects (channels or stride change); the others are identity.
  const projected = adds.filter((a) => a.args === 'projection').map((a) => a.parent);
  assert.deepEqual(projected, ['g:layer1.0', 'g:layer2.0', 'g:layer3.0', 'g:layer4.0']);
  for (const add of adds) {
    const block = graph.groups.find((g) => g.id === add.parent)!;
    const first = graph.nodes.find((n) => n.parent === block.id)!;
    const blockInput = graph.edges.find((e) => e.to === first.id && e.kind === 'flow')!.from;
    const skips = graph.edges.filter((e) => e.kind === 'skip' && (e.to === add.id || graph.nodes.find((n) => n.id === e.to)?.shortcutOf === add.id));
    const shortcut = graph.nodes.filter((n) => n.shortcutOf === add.id);
    assert.equal(skips[0].from, blockInput, `${add.name}: the skip starts at the block input`);
    assert.equal(skips[0].shape, block.inputShape);
    if (add.args === 'projection') {
      assert.deepEqual(shortcut.map((n) => [n.kind, n.op]), [['shortcut', 'conv'], ['shortcut', 'batchnorm']]);
      assert.deepEqual(skips.map((e) => e.to), [shortcut[0].id, shortcut[1].id, add.id]);
      assert.equal(shortcut[0].name, `${block.name}.downsample.0`);
    } else {
      assert.equal(shortcut.length, 0);
      assert.deepEqual(skips.map((e) => e.to), [add.id]);
    }
  }
  const label = tensorLabel(graph.edges.find((e) => e.from === 'n:layer4.2.conv3')!.shape);
  assert.equal(label, '2048×7×7');
});

test('every example: graph totals are the network totals, and the layers carry all parameters and MACs', () => {
  for (const name of ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'cifar_resnet20', 'se_resnet50', 'resnext50_32x4d', 'preact_resnet18', 'darknet53', 'inverted_residual']) {
    const { analysis, graph } = graphOf(join(examples, `${name}.resnet`));
    const network = analysis.networks[0];
    assert.equal(graph.params, Number(network.params), name);
    assert.equal(graph.macs, Number(network.macs), name);
    const layers = graph.nodes.filter((n) => n.kind === 'layer' || n.kind === 'shortcut');
    const modelLayers = [...allNodes(network.children)].filter((n) => n.kind === 'layer');
    assert.equal(layers.filter((n) => n.op !== 'zeropad').length, modelLayers.length, `${name}: one node per layer`);
    assert.equal(layers.reduce((s, n) => s + n.params, 0), Number(network.params), `${name}: params`);
    assert.equal(layers.reduce((s, n) => s + n.macs, 0), Number(network.macs), `${name}: MACs`);
    // Ids are unique, every edge joins two nodes, the main path visits every main node once.
    const ids = new Set(graph.nodes.map((n) => n.id));
    assert.equal(ids.size, graph.nodes.length, `${name}: unique ids`);
    for (const e of graph.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${name}: edge ${e.from} → ${e.to}`);
    const flow = graph.edges.filter((e) => e.kind === 'flow');
    const main = graph.nodes.filter((n) => n.kind !== 'shortcut');
    assert.equal(flow.length, main.length - 1, `${name}: a chain of flow edges`);
    assert.equal(graph.nodes[0].kind, 'input');
    assert.equal(graph.nodes.at(-1)!.kind, 'output');
    assert.equal(graph.diagnostics.length, 0, `${name}: no stray diagnostics`);
  }
});

test('zeropad shortcuts that subsample or pad get a node of their own, with no parameters', () => {
  const { graph } = graphOf(join(examples, 'cifar_resnet20.resnet'));
  const pads = graph.nodes.filter((n) => n.op === 'zeropad');
  assert.deepEqual(pads.map((p) => [p.name, p.args, tensorLabel(p.outputShape)]), [
    ['layer2.0.zeropad', '/2, +16 ch', '32×16×16'],
    ['layer3.0.zeropad', '/2, +32 ch', '64×8×8'],
  ]);
  assert.ok(pads.every((p) => p.params === 0 && p.kind === 'shortcut' && p.shortcutOf));
});

test('a channel mismatch marks the stage that called the block, and the failing add with its skip edge; the rest still has shapes', () => {
  const { analysis, graph } = graphOf(join(fixtures, 'channel-mismatch.resnet'));
  const stage = graph.groups.find((g) => g.id === 'g:layer1')!;
  assert.equal(stage.diagnostics.length, 1);
  assert.equal(stage.diagnostics[0].code, 'RS0501');
  // layer1.0 gets 64 channels and fails; layer1.1 gets 96 and its identity fits.
  const marked = graph.nodes.filter((n) => n.diagnostics.length > 0);
  assert.deepEqual(marked.map((n) => n.id), ['n:layer1.0.add'], 'the add of the failing instance only, not every layer of the stage');
  const line = analysis.lines.position(marked[0].diagnostics[0].span.start).line + 1;
  assert.equal(analysis.text.split('\n')[line - 1].trim(), '+ identity', "on the block's own add line");
  assert.match(marked[0].diagnostics[0].message, /^In layer1\.0: Residual add/);
  const skips = graph.edges.filter((e) => e.diagnostics);
  assert.deepEqual(skips.map((e) => [e.kind, e.to]), [['skip', 'n:layer1.0.add']]);
  const result = graphResult(analysis, 'file:///broken.resnet', 3);
  assert.equal(result.broken, false, 'a shape error does not hide the diagram');
  assert.deepEqual(result.problems.map((p) => [p.code, p.line]), [['RS0501', 8], ['RS0501', 20]], 'at the call and on the block line');
});

test('a syntax error makes the result broken (the preview keeps its last good diagram)', () => {
  const { analysis } = graphOf(join(fixtures, 'syntax-error.resnet'));
  const result = graphResult(analysis, 'file:///typing.resnet', 7);
  assert.equal(result.broken, true);
  assert.equal(result.version, 7);
  assert.deepEqual(result.problems.map((p) => p.code), ['RS0001', 'RS0101']);
  assert.ok(result.graph, 'the partial graph still travels');
});

test('graphResult picks the requested network, else the first, and lists them all', () => {
  const text = `network a {\n  input 3x8x8\n  fc linear(2)\n}\nnetwork b {\n  input 1x4x4\n  fc linear(3)\n}\n`;
  const analysis = analyze(text);
  assert.equal(graphResult(analysis, 'u', 1, 'b').graph?.network, 'b');
  assert.equal(graphResult(analysis, 'u', 1, 'zzz').graph?.network, 'a');
  assert.deepEqual(graphResult(analysis, 'u', 1).networks.map((n) => n.name), ['a', 'b']);
  const empty = graphResult(analyze('# nothing yet\n'), 'u', 1);
  assert.equal(empty.graph, undefined);
  assert.equal(empty.broken, true);
});
