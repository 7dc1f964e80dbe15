// Colour by metric, the table's hierarchy and totals, and the comparison of two networks: pure
// functions of real example graphs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { buildGraph, type Graph } from '../../../language/core/graph';
import { change, compareGraphs } from '../../../webview/compare';
import { foldAll, initialFoldState, visibleGraph } from '../../../webview/fold';
import { heatLevels, timesFor } from '../../../webview/metric';
import { hierarchyRows, totalsRow } from '../../../webview/table';

const examples = join(__dirname, '../../../examples');
const graphOf = (name: string): Graph => {
  const text = readFileSync(join(examples, `${name}.resnet`), 'utf8');
  return buildGraph(analyze(text).networks[0], [], text);
};
const resnet50 = graphOf('resnet50');

test('colour by MACs: a folded stage counts its layers; levels grow with the share; the legend names the bounds', () => {
  const folded = heatLevels(visibleGraph(resnet50, initialFoldState), 'macs', undefined)!;
  // layer3 holds the most MACs of ResNet-50 (its 6 blocks at 14×14): the top level.
  assert.equal(folded.levels.get('g:layer3'), 5);
  assert.equal(folded.levels.get('n:relu'), 0, 'no MACs');
  assert.equal(folded.legend.title, 'Share of MACs');
  assert.equal(folded.legend.steps.length, 6);
  assert.equal(folded.legend.steps.at(-1)!.label, '≥ 5 %');
  const open = heatLevels(visibleGraph(resnet50, foldAll(false)), 'params', undefined)!;
  // fc holds 2,049,000 of 25,557,032 parameters (8 %).
  assert.equal(open.levels.get('n:fc'), 5);
  assert.equal(open.levels.get('n:bn1'), 0);
  assert.equal(heatLevels(visibleGraph(resnet50, initialFoldState), 'none', undefined), undefined);
  assert.equal(heatLevels(visibleGraph(resnet50, initialFoldState), 'time', undefined), undefined, 'no inference ran');
});

test('colour by measured time: the layerTimes message of this network only, by layer name', () => {
  const message = { network: 'resnet50', times: [{ name: 'conv1', ms: 9 }, { name: 'layer1.0.conv1', ms: 1 }, { name: 'fc', ms: Number.NaN }] };
  assert.equal(timesFor('resnet18', message), undefined);
  const times = timesFor('resnet50', message)!;
  assert.deepEqual([...times], [['conv1', 9], ['layer1.0.conv1', 1]]);
  const heat = heatLevels(visibleGraph(resnet50, initialFoldState), 'time', times)!;
  assert.equal(heat.levels.get('n:conv1'), 5);
  assert.equal(heat.levels.get('g:layer1'), 5, '10 % of the time');
  assert.equal(heat.levels.get('g:layer4'), 0);
});

test('table hierarchy: stage rows with their totals, blocks and layers only when opened, and a totals row', () => {
  const closed = hierarchyRows(resnet50, new Set());
  assert.deepEqual(closed.map((r) => r.name), ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc']);
  const layer3 = closed.find((r) => r.id === 'g:layer3')!;
  assert.deepEqual([layer3.group, layer3.depth, layer3.type, layer3.params], [true, 0, 'bottleneck ×6', 7098368]);
  const open = hierarchyRows(resnet50, new Set(['g:layer1', 'g:layer1.0']));
  const names = open.map((r) => `${'  '.repeat(r.depth)}${r.name}`);
  assert.ok(names.includes('  layer1.0') && names.includes('    layer1.0.downsample.0') && names.includes('  layer1.1'));
  assert.ok(!names.some((n) => n.trim().startsWith('layer1.1.')), 'layer1.1 stays folded');
  const totals = totalsRow(resnet50);
  // 53 convs, 53 batchnorms, 49 relus (three per bottleneck and the stem's), maxpool, avgpool, fc.
  assert.deepEqual([totals.params, totals.macs, totals.type], [25557032, 4089184256, `${53 + 53 + 49 + 3} layers`]);
  assert.equal(totalsRow(resnet50, new Map([['conv1', 2], ['fc', 0.5]])).ms, 2.5);
});

test('compare resnet50 with se_resnet50: same stages, the SE blocks add parameters, totals of both', () => {
  const comparison = compareGraphs(resnet50, graphOf('se_resnet50'));
  assert.equal(comparison.b, 'se_resnet50');
  assert.deepEqual(comparison.rows.map((r) => r.name), ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc']);
  const layer3 = comparison.rows.find((r) => r.name === 'layer3')!;
  assert.ok(layer3.a && layer3.b && layer3.b.params > layer3.a.params);
  assert.equal(comparison.rows.find((r) => r.name === 'conv1')!.a!.params, comparison.rows.find((r) => r.name === 'conv1')!.b!.params);
  assert.deepEqual([comparison.totals.a!.params, comparison.totals.b!.params], [25557032, graphOf('se_resnet50').params]);
  assert.equal(change(100, 150), '+50.0 %');
  assert.equal(change(100, 100), '');
  assert.equal(change(undefined, 5), 'new');
  assert.equal(change(5, undefined), 'gone');
});
