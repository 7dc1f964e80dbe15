// Folding and layout: fixture text for ResNet-18, and geometric properties that must hold for every
// example network, in both directions and several fold states.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { buildGraph, type Graph } from '../../../language/core/graph';
import { foldAll, initialFoldState, toggleFold, unfoldAncestors, visibleGraph, visibleNodes } from '../../../webview/fold';
import type { Direction, FoldState } from '../../../contracts/preview';
import { layoutGraph, wrapLength, type Box, type Layout } from '../../../webview/layout';
import { expectFixture } from '../fixtures';
import { printLayout } from './print';

const examples = join(__dirname, '../../../examples');
const fixtures = join(__dirname, '../../fixtures/graph');

function graphOf(path: string): Graph {
  const analysis = analyze(readFileSync(path, 'utf8'));
  return buildGraph(analysis.networks[0], analysis.diagnostics);
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (a: Box, outer: Box) => a.x >= outer.x && a.y >= outer.y && a.x + a.w <= outer.x + outer.w && a.y + a.h <= outer.y + outer.h;
const onBorder = ([x, y]: [number, number], b: Box) =>
  x >= b.x - 0.01 && x <= b.x + b.w + 0.01 && y >= b.y - 0.01 && y <= b.y + b.h + 0.01 && (Math.abs(x - b.x) < 0.01 || Math.abs(x - b.x - b.w) < 0.01 || Math.abs(y - b.y) < 0.01 || Math.abs(y - b.y - b.h) < 0.01);

function checkLayout(name: string, graph: Graph, layout: Layout, wrapped = false): void {
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
      if (mine.has(frame.item.id)) assert.ok(inside(all[i], frame), `${name}: ${all[i].item.id} sticks out of ${frame.item.id}`);
      else assert.ok(!overlaps(all[i], frame), `${name}: ${all[i].item.id} overlaps the frame ${frame.item.id}`);
    }
    assert.ok(inside(all[i], { x: 0, y: 0, w: layout.width, h: layout.height }), `${name}: ${all[i].item.id} outside the drawing`);
  }
  for (const frame of layout.frames) {
    const parent = frame.item.group.parent;
    if (parent) assert.ok(inside(frame, frames.get(parent)!), `${name}: frame ${frame.item.id} outside its parent`);
  }
  // The main path runs forward along the main axis, or (wrapped) starts a new row beyond the last.
  const main = layout.nodes.filter((n) => !(n.item.type === 'node' && n.item.node.kind === 'shortcut'));
  const along = (b: Box) => (layout.direction === 'LR' ? b.x : b.y);
  const across = (b: Box) => (layout.direction === 'LR' ? b.y : b.x);
  for (let i = 1; i < main.length; i++) {
    const forward = along(main[i]) > along(main[i - 1]);
    const nextRow = wrapped && across(main[i]) > across(main[i - 1]);
    assert.ok(forward || nextRow, `${name}: ${main[i].item.id} is not after ${main[i - 1].item.id}`);
  }
  for (const edge of layout.edges) {
    const from = nodes.get(edge.edge.from)!;
    const to = nodes.get(edge.edge.to)!;
    assert.ok(onBorder(edge.points[0], from), `${name}: edge ${edge.edge.id} does not leave its source`);
    assert.ok(onBorder(edge.points.at(-1)!, to), `${name}: edge ${edge.edge.id} does not reach its target`);
    assert.ok(edge.label.text !== '', `${name}: edge ${edge.edge.id} has no shape`);
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

for (const name of ['resnet18', 'resnet50', 'resnet152', 'cifar_resnet20', 'se_resnet50', 'preact_resnet18', 'darknet53', 'inverted_residual', 'resnext50_32x4d', 'densenet121', 'cbam_resnet50', 'resnet50_ibn_a']) {
  test(`layout of ${name}: no overlaps, nodes inside their frames, edges between their nodes`, () => {
    const graph = graphOf(join(examples, `${name}.resnet`));
    for (const [label, fold] of foldStates(graph)) {
      for (const direction of ['LR', 'TB'] as Direction[]) {
        const visible = visibleGraph(graph, fold);
        checkLayout(`${name} ${label} ${direction}`, graph, layoutGraph(visible, direction));
        checkLayout(`${name} ${label} ${direction} wrapped`, graph, layoutGraph(visible, direction, { wrap: wrapLength(visible, direction, { width: 1400, height: 900 }) }), true);
        checkLayout(`${name} ${label} ${direction} narrow`, graph, layoutGraph(visible, direction, { wrap: 900 }), true);
      }
    }
  });
}

test('layout fixture: resnet18 with layer2 and its first block open, both directions', () => {
  const graph = graphOf(join(fixtures, 'resnet18.resnet'));
  const fold = toggleFold(toggleFold(initialFoldState, 'g:layer2'), 'g:layer2.0');
  const visible = visibleGraph(graph, fold);
  expectFixture(join(fixtures, 'resnet18-layout.resnet'), printLayout(layoutGraph(visible, 'LR')) + printLayout(layoutGraph(visible, 'TB')));
});

test('layout is a pure function: same graph, same layout; an edit near the end leaves the start in place', () => {
  const text = readFileSync(join(examples, 'resnet50.resnet'), 'utf8');
  const before = buildGraph(analyze(text).networks[0]);
  const after = buildGraph(analyze(text.replace('linear(1000)', 'linear(10)')).networks[0]);
  const a = layoutGraph(visibleGraph(before, foldAll(false)), 'LR');
  assert.deepEqual(layoutGraph(visibleGraph(before, foldAll(false)), 'LR'), a);
  const b = layoutGraph(visibleGraph(after, foldAll(false)), 'LR');
  const position = new Map(b.nodes.map((n) => [n.item.id, [n.x, n.y]]));
  for (const node of a.nodes) assert.deepEqual(position.get(node.item.id), [node.x, node.y], node.item.id);
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
  assert.deepEqual(stage.diagnostics.map((d) => d.code), ['RS0501']);
});

test('wrapping: ResNet-152 unfolded fits a wide pane as a block, rows break only between blocks', () => {
  const graph = graphOf(join(examples, 'resnet152.resnet'));
  const visible = visibleGraph(graph, foldAll(false));
  const line = layoutGraph(visible, 'LR');
  const block = layoutGraph(visible, 'LR', { wrap: wrapLength(visible, 'LR', { width: 1600, height: 900 }) });
  assert.ok(line.width / line.height > 100, 'unwrapped it is a line');
  const ratio = block.width / block.height;
  assert.ok(ratio > 0.8 && ratio < 4, `wrapped proportions ${block.width}×${block.height}`);
  // Within a block every node shares its row: the add and its main path stay on one line.
  for (const group of graph.groups.filter((g) => g.kind === 'block')) {
    const ys = new Set(block.nodes.filter((n) => n.item.type === 'node' && n.item.node.parent === group.id && n.item.node.kind === 'layer').map((n) => n.y + n.h / 2));
    assert.equal(ys.size, 1, `${group.id} is split across rows`);
  }
  // The edges from one row to the next run back through the gap between them, labelled with their shape.
  const back = block.edges.filter((e) => e.points.length > 2 && e.points.at(-1)![0] < e.points[0][0] && e.edge.kind === 'flow');
  assert.ok(back.length >= 5, `${back.length} row breaks`);
  assert.ok(back.every((e) => e.label.text !== '?'));
  // A small network that fits the pane at a readable size stays on one line.
  assert.equal(wrapLength(visibleGraph(graphOf(join(examples, 'resnet18.resnet')), initialFoldState), 'LR', { width: 1600, height: 900 }), Infinity);
});
