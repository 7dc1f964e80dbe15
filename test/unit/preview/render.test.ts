// The SVG markup and the webview page.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { previewHtml } from '../../../extension/preview-html';
import { analyze } from '../../../language/core/analysis';
import { buildGraph } from '../../../language/core/graph';
import { foldAll, initialFoldState, visibleGraph } from '../../../webview/fold';
import { layoutGraph } from '../../../webview/layout';
import { compactCount, nodeSize, nodeText } from '../../../webview/node-text';
import { escapeXml, renderDiagram } from '../../../webview/render';

const fixtures = join(__dirname, '../../fixtures/graph');

function render(file: string, unfolded: boolean) {
  const analysis = analyze(readFileSync(join(fixtures, file), 'utf8'));
  const graph = buildGraph(analysis.networks[0], analysis.diagnostics);
  const layout = layoutGraph(visibleGraph(graph, unfolded ? foldAll(false) : initialFoldState), 'LR');
  return { layout, svg: renderDiagram(layout) };
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

test('every placed node, frame and edge is drawn once, each edge with its shape', () => {
  const { layout, svg } = render('resnet50.resnet', true);
  assert.equal(count(svg, /<g class="node /g), layout.nodes.length);
  assert.equal(count(svg, /<g class="frame /g), layout.frames.length);
  assert.equal(count(svg, /<g class="frame-header/g), layout.frames.length);
  assert.equal(count(svg, /<g class="edge /g), layout.edges.length);
  assert.match(svg, /data-id="n:layer4\.0\.downsample\.0"/);
  assert.match(svg, /<text class="edge-label"[^>]*>2048×7×7<\/text>/);
  assert.match(svg, /class="edge edge-skip" data-from="g:layer1\.0|class="edge edge-skip" data-from="n:maxpool"/);
  assert.doesNotMatch(svg, /style=/, 'no inline styles: the CSP forbids them');
});

test('folded stages show their repeat count; nodes with diagnostics are marked with the message', () => {
  const folded = render('resnet50.resnet', false).svg;
  assert.match(folded, /class="node-repeat"[^>]*>×6</);
  const broken = render('channel-mismatch.resnet', false).svg;
  assert.match(broken, /<g class="node folded op-stage has-error" data-id="g:layer1"/);
  assert.match(broken, /<title>[^<]*error RS0501: Residual add: the main path gives 96×32×32/);
});

test('text is escaped and counts are compact', () => {
  assert.equal(escapeXml(`<a & "b">'`), '&lt;a &amp; &quot;b&quot;&gt;&#39;');
  assert.equal(compactCount(9408), '9.4K');
  assert.equal(compactCount(25557032), '25.6M');
  assert.equal(compactCount(2359296), '2.36M');
  assert.equal(compactCount(64), '64');
});

test('nodes are wide enough for their text: numbers are never cut', () => {
  const { layout, svg } = render('resnet50.resnet', false);
  assert.doesNotMatch(svg, /…/, 'nothing is truncated');
  for (const node of layout.nodes) {
    const text = nodeText(node.item);
    const longest = Math.max(text.name.length + (text.repeat ? text.repeat.length + 2 : 0), text.op?.length ?? 0, ...text.stats.map((s) => s.length));
    assert.equal(node.w, nodeSize(node.item).w);
    if (!(node.item.type === 'node' && node.item.node.kind === 'add')) assert.ok(node.w >= longest * 6.6 + 16, `${node.item.id}: ${longest} characters in ${node.w} px`);
  }
  assert.match(svg, /9\.4K params · 118\.01 MMACs/);
});

test('metric colours: a heat level becomes a class on the node', () => {
  const { layout } = render('resnet50.resnet', false);
  const svg = renderDiagram(layout, { heat: new Map([['n:conv1', 5]]) });
  assert.match(svg, /<g class="node heat heat-5 kind-layer op-conv" data-id="n:conv1"/);
});

test('the page: a CSP with a nonce, no remote source, the nonce on the only script', () => {
  const html = previewHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'abc123', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/preview.css', codiconsUri: 'https://x/dist/codicons/codicon.css', title: 'T <1>' });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.equal(count(html, /<script /g), 1);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview.js">/);
  assert.match(html, /<title>T &lt;1></);
});
