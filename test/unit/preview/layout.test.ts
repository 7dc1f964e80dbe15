// Folding and layout: fixture text for ResNet-18, and geometric properties that must hold for every
// example network, in both directions and several fold states.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { buildGraph, type Graph } from '../../../language/core/graph';
import { foldAll, initialFoldState, toggleFold, unfoldAncestors, visibleGraph, visibleNodes } from '../../../webview/fold';
import type { Direction, FoldState } from '../../../contracts/preview';
import { layoutGraph, type Box, type Layout } from '../../../webview/layout';
import { expectFixture } from '../fixtures';
import { printLayout } from './print';

const examples = join(__dirname, '../../../examples');
const fixtures = join(__dirname, '../../fixtures/graph');

function graphOf(path: string): Graph {
  const analysis = analyze(readFileSync(path, 'utf8'));
  return buildGraph(analysis.networks[0], analysis.diagnostics);
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w - 0.01 && b.x < a.x + a.w - 0.01 && a.y < b.y + b.h - 0.01 && b.y < a.y + a.h - 0.01;
const inside = (a: Box, outer: Box) => a.x >= outer.x - 0.01 && a.y >= outer.y - 0.01 && a.x + a.w <= outer.x + outer.w + 0.01 && a.y + a.h <= outer.y + outer.h + 0.01;
const onBorder = ([x, y]: [number, number], b: Box) =>
  x >= b.x - 0.01 && x <= b.x + b.w + 0.01 && y >= b.y - 0.01 && y <= b.y + b.h + 0.01 && (Math.abs(x - b.x) < 0.01 || Math.abs(x - b.x - b.w) < 0.01 || Math.abs(y - b.y) < 0.01 || Math.abs(y - b.y - b.h) < 0.01);
/** Whether the segment runs through the inside of the box (touching its border does not count). */
function crosses([x0, y0]: [number, number], [x1, y1]: [number, number], b: Box): boolean {
  const inner = { x: b.x + 0.5, y: b.y + 0.5, w: b.w - 1, h: b.h - 1 };
  const seg = { x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) };
  return seg.x <= inner.x + inner.w && inner.x <= seg.x + seg.w && seg.y <= inner.y + inner.h && inner.y <= seg.y + seg.h;
}

function checkLayout(name: string, graph: Graph, layout: Layout): void {
  const frames = new Map(layout.frames.map((f) => [f.item.id, f]));
  const nodes = new Map(layout.nodes.map((n) => [n.item.id, n]));
  const parentOf = new Map<string, string | undefined>([...graph.groups.map((g) => [g.id, g.parent] as const), ...graph.nodes.map((n) => [n.id, n.parent] as const)]);
  const ancestors = (id: string) => {
    const out: string[] = [];
    for (let p = parentOf.get(id); p; p = parentOf.get(p)) out.push(p);
    return out;
  };
  const all = layout.nodes;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i], all[j]), `${name}: ${all[i].item.id} overlaps ${all[j].item.id}`);
    const mine = new Set(ancestors(all[i].item.id));
    for (const frame of layout.frames) {
      if (mine.has(frame.item.id)) assert.ok(inside(all[i], frame) && !overlaps(all[i], frame.header), `${name}: ${all[i].item.id} sticks out of ${frame.item.id} or into its header`);
      else assert.ok(!overlaps(all[i], frame), `${name}: ${all[i].item.id} overlaps the frame ${frame.item.id}`);
    }
    assert.ok(inside(all[i], { x: 0, y: 0, w: layout.width, h: layout.height }), `${name}: ${all[i].item.id} outside the drawing`);
  }
  for (const frame of layout.frames) {
    const parent = frame.item.group.parent;
    if (parent) assert.ok(inside(frame, frames.get(parent)!) && !overlaps(frame, frames.get(parent)!.header), `${name}: frame ${frame.item.id} outside its parent`);
  }
  // Siblings in order: each open group after the one before it in the same parent, along the main axis.
  const along = (b: Box) => (layout.direction === 'LR' ? b.x : b.y);
  const length = (b: Box) => (layout.direction === 'LR' ? b.w : b.h);
  const siblings = new Map<string, Box[]>();
  for (const frame of layout.frames) siblings.set(frame.item.group.parent ?? '', [...(siblings.get(frame.item.group.parent ?? '') ?? []), frame]);
  for (const [parent, list] of siblings) for (let i = 1; i < list.length; i++) assert.ok(along(list[i]) >= along(list[i - 1]) + length(list[i - 1]), `${name}: in ${parent || 'the network'}, ${i} is not after ${i - 1}`);
  // Every edge runs forward along the main axis: a node comes after all its inputs.
  for (const edge of layout.edges) {
    const from = nodes.get(edge.edge.from)!;
    const to = nodes.get(edge.edge.to)!;
    assert.ok(along(to) >= along(from) + length(from), `${name}: ${edge.edge.to} is not after its input ${edge.edge.from}`);
  }
  for (const edge of layout.edges) {
    const from = nodes.get(edge.edge.from)!;
    const to = nodes.get(edge.edge.to)!;
    if (edge.fork) {
      // From the fork just under the header of a frame the target is in, on the main line that enters it.
      const [px, py] = edge.points[0];
      const frame = layout.frames.find((f) => inside(to, f) && px > f.x && px < f.x + f.w && py > f.header.y + f.header.h && py < f.y + f.h && (layout.direction === 'TB' ? py - f.y : px - f.x) < 40);
      assert.ok(frame && ancestors(edge.edge.to).includes(frame.item.id) && !ancestors(edge.edge.from).includes(frame.item.id), `${name}: skip edge ${edge.edge.id} does not start at a block's fork`);
    } else assert.ok(onBorder(edge.points[0], from), `${name}: edge ${edge.edge.id} does not leave its source`);
    assert.ok(onBorder(edge.points.at(-1)!, to), `${name}: edge ${edge.edge.id} does not reach its target`);
    assert.ok(edge.label.text !== '', `${name}: edge ${edge.edge.id} has no shape`);
    for (let k = 0; k + 1 < edge.points.length; k++) {
      assert.ok(edge.points[k][0] === edge.points[k + 1][0] || edge.points[k][1] === edge.points[k + 1][1], `${name}: edge ${edge.edge.id} has a slanted run`);
      for (const node of layout.nodes) {
        if (node === from || node === to) continue;
        assert.ok(!crosses(edge.points[k], edge.points[k + 1], node), `${name}: edge ${edge.edge.id} runs through ${node.item.id}`);
      }
      if (edge.edge.kind === 'skip')
        for (const frame of layout.frames) assert.ok(!crosses(edge.points[k], edge.points[k + 1], frame.header), `${name}: skip edge ${edge.edge.id} runs through the header of ${frame.item.id}`);
    }
    for (const other of layout.edges) {
      if (other === edge || other.edge.id > edge.edge.id) continue;
      assert.ok(!overlaps(edge.label.box, other.label.box), `${name}: the labels of ${edge.edge.id} and ${other.edge.id} overlap`);
    }
    for (const frame of layout.frames) assert.ok(!overlaps(edge.label.box, frame.header), `${name}: the label of ${edge.edge.id} overlaps the header of ${frame.item.id}`);
    for (const node of layout.nodes) assert.ok(!overlaps(edge.label.box, node), `${name}: the label of ${edge.edge.id} overlaps ${node.item.id}`);
  }
}

const foldStates = (graph: Graph): [string, FoldState][] => {
  const firstStage = graph.groups.find((g) => g.kind === 'stage');
  const states: [string, FoldState][] = [
    ['folded', initialFoldState],
    ['unfolded', foldAll(false)],
  ];
  if (firstStage) {
    const stageOpen = toggleFold(initialFoldState, firstStage.id);
    const block = graph.groups.find((g) => g.parent === firstStage.id)!;
    states.push(['one stage open', stageOpen], ['one block open', toggleFold(stageOpen, block.id)]);
  }
  return states;
};

const exampleNames = readdirSync(examples)
  .filter((f) => f.endsWith('.resnet'))
  .map((f) => f.slice(0, -'.resnet'.length));

for (const name of exampleNames) {
  test(`layout of ${name}: no overlaps, siblings in order, edges around nodes and headers, labels clear`, () => {
    const graph = graphOf(join(examples, `${name}.resnet`));
    for (const [label, fold] of foldStates(graph)) {
      for (const direction of ['TB', 'LR'] as Direction[]) checkLayout(`${name} ${label} ${direction}`, graph, layoutGraph(visibleGraph(graph, fold), direction));
    }
  });
}

test('layout of a block: the projection shortcut stands beside the end of the main path; an identity skip runs in a lane from the fork', () => {
  const graph = graphOf(join(examples, 'resnet50.resnet'));
  const layout = layoutGraph(visibleGraph(graph, foldAll(false)), 'TB');
  const at = (id: string) => layout.nodes.find((n) => n.item.id === id)!;
  const [conv3, bn3, ds1, add] = ['n:layer2.0.conv3', 'n:layer2.0.bn3', 'n:layer2.0.downsample.1', 'n:layer2.0.add'].map(at);
  assert.ok(ds1.x > conv3.x + conv3.w, 'the projection is in a column right of the main path');
  assert.ok(ds1.y + ds1.h <= add.y && ds1.y >= bn3.y - bn3.h, 'the projection ends just above the add');
  const identity = layout.edges.find((e) => e.edge.kind === 'skip' && e.edge.to === 'n:layer2.1.add')!;
  assert.ok(identity.fork, 'the identity skip starts at the fork');
  const frame = layout.frames.find((f) => f.item.id === 'g:layer2.1')!;
  assert.ok(identity.points[0][1] > frame.header.y + frame.header.h && identity.points[0][1] < at('n:layer2.1.conv1').y);
  // The main path is one straight line: every node of it on the same x centre.
  const centres = new Set(layout.nodes.filter((n) => n.item.type === 'node' && n.item.node.kind !== 'shortcut').map((n) => n.x + n.w / 2));
  assert.equal(centres.size, 1, `the main path bends: ${[...centres].join(', ')}`);
});

test('layout of ResNet-152 unfolded: one column top to bottom, no stray column, fc and output under the rest', () => {
  const graph = graphOf(join(examples, 'resnet152.resnet'));
  const layout = layoutGraph(visibleGraph(graph, foldAll(false)), 'TB');
  assert.ok(layout.width < 700, `width ${layout.width}`);
  assert.ok(layout.height > 20 * layout.width, `height ${layout.height}`);
  const lowest = [...layout.nodes].sort((a, b) => b.y - a.y).slice(0, 2).map((n) => n.item.id);
  assert.deepEqual(lowest, ['n:output', 'n:fc']);
});

test('layout fixture: resnet18 with layer2 and its first block open, both directions', () => {
  const graph = graphOf(join(fixtures, 'resnet18.resnet'));
  const fold = toggleFold(toggleFold(initialFoldState, 'g:layer2'), 'g:layer2.0');
  const visible = visibleGraph(graph, fold);
  expectFixture(join(fixtures, 'resnet18-layout.resnet'), printLayout(layoutGraph(visible, 'TB')) + printLayout(layoutGraph(visible, 'LR')));
});

test('layout is a pure function: same graph, same layout; an edit near the end leaves the start in place', () => {
  const text = readFileSync(join(examples, 'resnet50.resnet'), 'utf8');
  const before = buildGraph(analyze(text).networks[0]);
  const after = buildGraph(analyze(text.replace('linear(1000)', 'linear(10)')).networks[0]);
  for (const direction of ['TB', 'LR'] as Direction[]) {
    const a = layoutGraph(visibleGraph(before, foldAll(false)), direction);
    assert.deepEqual(layoutGraph(visibleGraph(before, foldAll(false)), direction), a);
    const b = layoutGraph(visibleGraph(after, foldAll(false)), direction);
    const position = new Map(b.nodes.map((n) => [n.item.id, [n.x, n.y]]));
    const edited = a.nodes.findIndex((n) => n.item.id === 'n:fc');
    for (const node of a.nodes.slice(0, edited)) assert.deepEqual(position.get(node.item.id), [node.x, node.y], `${direction} ${node.item.id}`);
  }
});

test('folding: folded stages are one node each; edges into a folded group are rerouted, never looped', () => {
  const graph = graphOf(join(examples, 'resnet50.resnet'));
  const folded = visibleGraph(graph, initialFoldState);
  assert.deepEqual(
    [...visibleNodes(folded.items)].map((n) => (n.type === 'folded' ? `${n.id} ×${n.group.repeat}` : n.id)),
    ['n:input', 'n:conv1', 'n:bn1', 'n:relu', 'n:maxpool', 'g:layer1 ×3', 'g:layer2 ×4', 'g:layer3 ×6', 'g:layer4 ×3', 'n:avgpool', 'n:fc', 'n:output'],
  );
  assert.deepEqual(
    folded.edges.map((e) => `${e.from}→${e.to}`),
    ['n:input→n:conv1', 'n:conv1→n:bn1', 'n:bn1→n:relu', 'n:relu→n:maxpool', 'n:maxpool→g:layer1', 'g:layer1→g:layer2', 'g:layer2→g:layer3', 'g:layer3→g:layer4', 'g:layer4→n:avgpool', 'n:avgpool→n:fc', 'n:fc→n:output'],
  );
  assert.ok(folded.edges.every((e) => e.kind === 'flow'));
  assert.equal(folded.shownAs.get('n:layer3.4.conv2'), 'g:layer3');

  // Open layer2: four block nodes, and the edge into the first keeps the stage's input shape.
  const open = visibleGraph(graph, toggleFold(initialFoldState, 'g:layer2'));
  const blocks = open.items.find((i) => i.type === 'frame' && i.id === 'g:layer2');
  assert.ok(blocks && blocks.type === 'frame');
  assert.deepEqual(blocks.children.map((c) => c.id), ['g:layer2.0', 'g:layer2.1', 'g:layer2.2', 'g:layer2.3']);
  assert.deepEqual(open.edges.find((e) => e.to === 'g:layer2.0')?.shape, [1, 256, 56, 56]);

  // Unfolding everything shows the skip edges and the projection layers beside their add.
  const all = visibleGraph(graph, foldAll(false));
  assert.equal(all.edges.length, graph.edges.length);
  const add = [...visibleNodes(all.items)].find((n) => n.id === 'n:layer2.0.add')!;
  assert.deepEqual(add.shortcut.map((s) => s.id), ['n:layer2.0.downsample.0', 'n:layer2.0.downsample.1']);
});

test('folding: unfoldAncestors opens the groups around a node; diagnostics surface on the folded group', () => {
  const graph = graphOf(join(fixtures, 'channel-mismatch.resnet'));
  const state = unfoldAncestors(initialFoldState, graph, ['n:layer1.1.conv2']);
  assert.deepEqual(state.overrides, { 'g:layer1.1': false, 'g:layer1': false });
  const visible = visibleGraph(graph, state);
  assert.equal(visible.shownAs.get('n:layer1.1.conv2'), 'n:layer1.1.conv2');
  const folded = visibleGraph(graph, initialFoldState);
  const stage = [...visibleNodes(folded.items)].find((n) => n.id === 'g:layer1');
  assert.ok(stage?.type === 'folded');
  assert.deepEqual(stage.diagnostics.map((d) => d.code), ['RS0501', 'RS0501'], 'the call\'s and the failing add\'s');
});


/** A graph written by hand, as the dataflow blocks make them: nodes with several inputs from any named value. */
function dataflowGraph(): Graph {
  const span = { start: 0, end: 1 };
  const node = (id: string, parent?: string): Graph['nodes'][number] => ({
    id: `n:${id}`,
    kind: id === 'input' || id === 'output' ? id : 'layer',
    name: id,
    op: id.replace(/\d+$/, ''),
    args: '',
    parent,
    outputShape: [1, 64, 8, 8],
    params: 0,
    macs: 0,
    range: span,
    diagnostics: [],
  });
  const group = { id: 'g:b', kind: 'block' as const, name: 'b', block: 'split3', repeat: 1, args: '', params: 0, macs: 0, range: span, diagnostics: [] };
  const nodes = [node('input'), node('stem'), node('split', 'g:b'), node('conv1', 'g:b'), node('conv2', 'g:b'), node('conv3', 'g:b'), node('concat', 'g:b'), node('mul'), node('output')];
  const flow = (from: string, to: string) => ({ from: `n:${from}`, to: `n:${to}`, kind: 'flow' as const, shape: [1, 64, 8, 8] });
  return {
    network: 'dataflow',
    range: span,
    params: 0,
    macs: 0,
    nodes,
    groups: [group],
    edges: [
      flow('input', 'stem'),
      flow('stem', 'split'),
      flow('split', 'conv1'),
      flow('split', 'conv2'),
      flow('split', 'conv3'),
      flow('conv1', 'concat'),
      flow('conv2', 'concat'),
      flow('conv3', 'concat'),
      // From a named value outside the block, around it (an attention-style multiply).
      flow('concat', 'mul'),
      flow('stem', 'mul'),
      flow('mul', 'output'),
    ],
    diagnostics: [],
  };
}

test('layout of a general DAG: a three-way split side by side in order, a concat of all three, an edge from a named value around a block', () => {
  const graph = dataflowGraph();
  checkLayout('dataflow TB', graph, layoutGraph(visibleGraph(graph, foldAll(false)), 'TB'));
  checkLayout('dataflow LR', graph, layoutGraph(visibleGraph(graph, foldAll(false)), 'LR'));
  const layout = layoutGraph(visibleGraph(graph, foldAll(false)), 'TB');
  const at = (id: string) => layout.nodes.find((n) => n.item.id === `n:${id}`)!;
  const [c1, c2, c3, concat] = ['conv1', 'conv2', 'conv3', 'concat'].map(at);
  assert.ok(c1.y === c2.y && c2.y === c3.y, 'the branches side by side');
  assert.ok(c1.x < c2.x && c2.x < c3.x, 'in order, left to right');
  assert.ok(concat.y > c1.y + c1.h);
  assert.equal(layout.edges.filter((e) => e.edge.to === 'n:concat').length, 3);
  checkLayout('dataflow folded', graph, layoutGraph(visibleGraph(graph, initialFoldState), 'TB'));
});
