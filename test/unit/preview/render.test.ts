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
  assert.match(broken, /<g class="node shape-box folded op-stage has-error" data-id="g:layer1"/);
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
  assert.match(svg, /<g class="node shape-box heat heat-5 kind-layer op-conv" data-id="n:conv1"/);
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

test('dataflow nodes: merges are small pills with their tag and name, a split output shows its channels, a shared module its uses', () => {
  const { layout, svg } = render('named-values.resnet', true);
  const node = (id: string) => new RegExp(`<g class="node ([^"]*)" data-id="${id.replace(/\./g, '\\.')}"[^]*?</g>(?=<g class="node|$)`).exec(svg)?.[0] ?? '';
  const box = (id: string) => layout.nodes.find((n) => n.item.id === id)!;
  // A concatenation: a pill with 'cat', the value's name and the channels of its inputs, shorter than a layer.
  assert.match(node('n:dense1.out'), /class="node shape-pill kind-merge/);
  assert.match(node('n:dense1.out'), /class="pill-word"[^>]*>cat<.*class="node-name"[^>]*>out<.*class="node-op"[^>]*>16\+8</);
  assert.ok(box('n:dense1.out').h < box('n:dense1.conv').h / 2 + 1);
  // Element-wise merges: ⊕ and ⊗ glyphs.
  assert.match(node('n:gate.attention'), /class="pill-glyph"[^>]*>\+<.*>attention</);
  assert.match(node('n:gate.out'), /class="pill-glyph"[^>]*>×</);
  // One output of a split: its channel range.
  assert.match(node('n:norm.first'), /class="pill-word"[^>]*>split<.*>first<.*>ch 0:16</);
  // The shared MLP: a badge on the module and on its second use, which names the module.
  assert.match(node('n:gate.mlp'), /class="node shape-box kind-reuse[^]*shared ×2[^]*= mlp, same weights/);
  const folded = render('named-values.resnet', false).svg;
  assert.doesNotMatch(folded, /data-id="g:gate\.mlp"/, 'folded inside gate');
  const open = renderDiagram(layoutGraph(visibleGraph(buildGraph(analyze(readFileSync(join(fixtures, 'named-values.resnet'), 'utf8')).networks[0]), { defaultFolded: false, overrides: { 'g:gate.mlp': true } }), 'TB'));
  assert.match(open, /data-id="g:gate\.mlp"[^]*?class="shared-badge"[^]*?shared ×2/);
  assert.doesNotMatch(open, /class="node-repeat"[^>]*>×4</, 'the layers of a sequential are not repeats');
});
