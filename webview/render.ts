// The diagram as SVG markup, from a layout. Pure (a string out), so the webview sets it in one
// assignment (no half-drawn frame) and the benchmark measures the same code. Colours come from
// classes styled with VS Code's theme variables in media/preview.css; nothing here is inline style,
// which the webview's Content-Security-Policy would refuse.

import { macsText } from '../language/core/format';
import type { GraphDiagnostic } from '../language/core/graph';
import { tensorLabel } from '../language/core/graph';
import type { VisibleNode } from './fold';
import { frameHeader, type Box, type Layout, type PlacedEdge, type PlacedFrame, type PlacedNode } from './layout';

/** Average glyph width of the 11–12 px UI font, for truncating text that must fit a node. */
const charWidth = 6.6;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fit(text: string, width: number): string {
  const max = Math.max(1, Math.floor(width / charWidth));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** 25557032 → '25.6M', 9408 → '9.4K'. */
export function compactCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

const opClass: Record<string, string> = {
  conv: 'op-conv',
  batchnorm: 'op-norm',
  relu: 'op-act',
  relu6: 'op-act',
  leaky_relu: 'op-act',
  sigmoid: 'op-act',
  maxpool: 'op-pool',
  avgpool: 'op-pool',
  flatten: 'op-misc',
  dropout: 'op-misc',
  linear: 'op-linear',
  se: 'op-se',
  zeropad: 'op-pool',
  add: 'op-add',
  input: 'op-io',
  output: 'op-io',
};

function worst(diagnostics: GraphDiagnostic[]): 'error' | 'warning' | undefined {
  if (diagnostics.some((d) => d.severity === 'error')) return 'error';
  if (diagnostics.some((d) => d.severity === 'warning')) return 'warning';
  return undefined;
}

export function diagnosticsOf(item: VisibleNode): GraphDiagnostic[] {
  return item.type === 'folded' ? item.diagnostics : item.node.diagnostics;
}

function nodeTitle(item: VisibleNode): string {
  const lines: string[] = [];
  if (item.type === 'folded') {
    const g = item.group;
    lines.push(`${g.name}: ${g.block}${g.repeat > 1 ? ` ×${g.repeat}` : ''}`, g.args, `${tensorLabel(g.inputShape)} → ${tensorLabel(g.outputShape)}`);
    lines.push(`${g.params.toLocaleString('en-US')} params · ${macsText(g.macs)}`);
  } else {
    const n = item.node;
    lines.push(`${n.name}: ${n.op}${n.args ? ` (${n.args})` : ''}`, `output ${tensorLabel(n.outputShape)}`);
    if (n.kind !== 'input' && n.kind !== 'output') lines.push(`${n.params.toLocaleString('en-US')} params · ${macsText(n.macs)}`);
  }
  for (const d of diagnosticsOf(item)) lines.push(`${d.severity} ${d.code}: ${d.message}`);
  return lines.join('\n');
}

function renderNode(placed: PlacedNode, detail: boolean): string {
  const { item, x, y, w, h } = placed;
  const severity = worst(diagnosticsOf(item));
  const classes = ['node'];
  const parts: string[] = [];
  const cx = x + w / 2;
  if (!detail) {
    // Zoomed out too far to read: the shape and its colour only.
    if (item.type === 'folded') classes.push('folded', item.group.kind === 'stage' ? 'op-stage' : 'op-block');
    else classes.push(`kind-${item.node.kind}`, opClass[item.node.op] ?? 'op-misc');
    parts.push(`<rect class="node-box" x="${x}" y="${y}" width="${w}" height="${h}" rx="4"/>`);
    if (item.type === 'node' && item.node.kind !== 'add') parts.push(`<rect class="node-accent" x="${x}" y="${y}" width="6" height="${h}"/>`);
  } else if (item.type === 'folded') {
    const g = item.group;
    classes.push('folded', g.kind === 'stage' ? 'op-stage' : 'op-block');
    parts.push(`<rect class="node-box" x="${x}" y="${y}" width="${w}" height="${h}" rx="6"/>`);
    parts.push(`<rect class="node-stack" x="${x + 4}" y="${y + h}" width="${w - 8}" height="3" rx="1"/>`);
    parts.push(`<text class="node-name" x="${x + 10}" y="${y + 18}">${escapeXml(fit(g.name, w - 70))}</text>`);
    if (g.repeat > 1) parts.push(`<text class="node-repeat" x="${x + w - 10}" y="${y + 18}" text-anchor="end">×${g.repeat}</text>`);
    const call = g.args.startsWith(`${g.block}(`) ? g.args : `${g.block} ▸ ${g.args}`;
    parts.push(`<text class="node-op" x="${x + 10}" y="${y + 35}">${escapeXml(fit(call, w - 20))}</text>`);
    parts.push(`<text class="node-stats" x="${x + 10}" y="${y + 52}">${escapeXml(fit(`${compactCount(g.params)} params · ${macsText(g.macs)}`, w - 40))}</text>`);
    parts.push(`<text class="node-stats" x="${x + 10}" y="${y + 64}">${escapeXml(fit(`${tensorLabel(g.inputShape)} → ${tensorLabel(g.outputShape)}`, w - 40))}</text>`);
    parts.push(
      `<g class="fold-toggle" data-fold="${escapeXml(item.id)}" role="button" aria-label="Unfold ${escapeXml(g.name)}"><title>Unfold ${escapeXml(g.name)}</title>` +
        `<rect class="fold-toggle-box" x="${x + w - 24}" y="${y + h - 24}" width="18" height="18" rx="3"/>` +
        `<text class="fold-toggle-glyph" x="${x + w - 15}" y="${y + h - 10}" text-anchor="middle">+</text></g>`,
    );
  } else {
    const n = item.node;
    classes.push(`kind-${n.kind}`, opClass[n.op] ?? 'op-misc');
    if (n.kind === 'add') {
      parts.push(`<circle class="node-box" cx="${cx}" cy="${y + h / 2}" r="${w / 2}"/>`);
      parts.push(`<text class="node-plus" x="${cx}" y="${y + h / 2 + 5}" text-anchor="middle">+</text>`);
    } else if (n.kind === 'input' || n.kind === 'output') {
      parts.push(`<rect class="node-box" x="${x}" y="${y}" width="${w}" height="${h}" rx="${h / 2}"/>`);
      parts.push(`<text class="node-name" x="${cx}" y="${y + 16}" text-anchor="middle">${n.kind}</text>`);
      parts.push(`<text class="node-stats" x="${cx}" y="${y + 30}" text-anchor="middle">${escapeXml(tensorLabel(n.outputShape))}</text>`);
    } else {
      const small = n.kind === 'shortcut';
      parts.push(`<rect class="node-box" x="${x}" y="${y}" width="${w}" height="${h}" rx="4"/>`);
      parts.push(`<rect class="node-accent" x="${x}" y="${y}" width="4" height="${h}" rx="2"/>`);
      parts.push(`<text class="node-name" x="${x + 10}" y="${y + 16}">${escapeXml(fit(shortName(n.name, n.parent), w - 16))}</text>`);
      parts.push(`<text class="node-op" x="${x + 10}" y="${y + (small ? 29 : 32)}">${escapeXml(fit(n.args ? `${n.op} ${n.args}` : n.op, w - 16))}</text>`);
      const stats = n.params > 0 || n.macs > 0 ? `${compactCount(n.params)} params${n.macs > 0 ? ` · ${macsText(n.macs)}` : ''}` : tensorLabel(n.outputShape);
      parts.push(`<text class="node-stats" x="${x + 10}" y="${y + (small ? 42 : 48)}">${escapeXml(fit(stats, w - 16))}</text>`);
    }
  }
  if (severity) {
    classes.push(`has-${severity}`);
    const mx = item.type === 'node' && item.node.kind === 'add' ? x + w : x + w - 2;
    parts.push(`<circle class="diag-mark" cx="${mx}" cy="${y + 2}" r="${detail ? 7 : 14}"/>`);
    if (detail) parts.push(`<text class="diag-glyph" x="${mx}" y="${y + 6}" text-anchor="middle">!</text>`);
  }
  const label = escapeXml(nodeTitle(item));
  const title = detail ? `<title>${label}</title>` : '';
  return `<g class="${classes.join(' ')}" data-id="${escapeXml(item.id)}" tabindex="-1" role="button" aria-label="${label.replace(/\n/g, ', ')}">${title}${parts.join('')}</g>`;
}

/** Inside a block the block's name is known from its frame: 'layer1.0.conv1' shows as 'conv1'. */
function shortName(name: string, parent: string | undefined): string {
  if (!parent) return name;
  const prefix = parent.replace(/^g:/, '').replace(/#\d+$/, '');
  return name.startsWith(`${prefix}.`) ? name.slice(prefix.length + 1) : name;
}

function renderFrame(placed: PlacedFrame, detail: boolean): string {
  const { item, x, y, w, h, depth } = placed;
  const g = item.group;
  const severity = worst(g.diagnostics);
  const title = `${g.name} · ${g.block}${g.repeat > 1 ? ` ×${g.repeat}` : ''} · ${compactCount(g.params)} params · ${macsText(g.macs)}`;
  const classes = ['frame', `frame-${g.kind}`, `depth-${Math.min(depth, 3)}`, ...(severity ? [`has-${severity}`] : [])];
  const tooltip = escapeXml([title, ...g.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`)].join('\n'));
  return (
    `<g class="${classes.join(' ')}" data-id="${escapeXml(item.id)}">` +
    `<rect class="frame-box" x="${x}" y="${y}" width="${w}" height="${h}" rx="8"/>` +
    `<g class="frame-header" data-fold="${escapeXml(item.id)}" tabindex="-1" role="button" aria-expanded="true" aria-label="${tooltip.replace(/\n/g, ', ')}"><title>${tooltip}</title>` +
    `<rect class="frame-header-hit" x="${x}" y="${y}" width="${w}" height="${frameHeader + 4}" rx="8"/>` +
    (detail ? `<text class="frame-title" x="${x + 10}" y="${y + 15}">▾ ${escapeXml(fit(title, w - 20))}</text>` : '') +
    `</g>` +
    (severity ? `<circle class="diag-mark" cx="${x + w - 10}" cy="${y + 11}" r="7"/><text class="diag-glyph" x="${x + w - 10}" y="${y + 15}" text-anchor="middle">!</text>` : '') +
    `</g>`
  );
}

function pathData(points: [number, number][]): string {
  // Orthogonal runs with small rounded corners.
  const radius = 8;
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length; i++) {
    const [x, y] = points[i];
    const next = points[i + 1];
    if (!next) {
      d += ` L${x},${y}`;
      break;
    }
    const [px, py] = points[i - 1];
    const inLength = Math.hypot(x - px, y - py);
    const outLength = Math.hypot(next[0] - x, next[1] - y);
    const r = Math.min(radius, inLength / 2, outLength / 2);
    const ax = x - (Math.sign(x - px) * r);
    const ay = y - (Math.sign(y - py) * r);
    const bx = x + Math.sign(next[0] - x) * r;
    const by = y + Math.sign(next[1] - y) * r;
    d += ` L${ax},${ay} Q${x},${y} ${bx},${by}`;
  }
  return d;
}

function renderEdge(placed: PlacedEdge, detail: boolean): string {
  const { edge, points, label } = placed;
  return (
    `<g class="edge edge-${edge.kind}" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}">` +
    `<path d="${pathData(points)}"/>` +
    (detail ? `<text class="edge-label" x="${label.x}" y="${label.y}" text-anchor="${label.anchor}">${escapeXml(label.text)}</text>` : '') +
    `</g>`
  );
}

/** Every arrowhead in one path: one element instead of a marker per edge, which Chromium draws far faster. */
function arrowHeads(edges: PlacedEdge[]): string {
  const size = 6;
  let d = '';
  for (const { points } of edges) {
    const [x1, y1] = points[points.length - 1];
    const [x0, y0] = points[points.length - 2];
    const length = Math.hypot(x1 - x0, y1 - y0) || 1;
    const ux = (x1 - x0) / length;
    const uy = (y1 - y0) / length;
    const bx = x1 - ux * size;
    const by = y1 - uy * size;
    d += `M${x1},${y1}L${bx - uy * size * 0.55},${by + ux * size * 0.55}L${bx + uy * size * 0.55},${by - ux * size * 0.55}z`;
  }
  return d ? `<path class="arrow-head" d="${d}"/>` : '';
}

export interface RenderOptions {
  /** Only what meets this box (diagram coordinates) is drawn; everything when absent. */
  window?: Box;
  /** Text and tooltips; off when zoomed out too far to read them. Default true. */
  detail?: boolean;
}

const meets = (a: Box, b: Box) => a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;

function edgeBox(points: [number, number][]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x: x - 4, y: y - 14, w: Math.max(...xs) - x + 80, h: Math.max(...ys) - y + 28 };
}

/** The diagram's content: frames under edges under nodes. */
export function renderDiagram(layout: Layout, { window, detail = true }: RenderOptions = {}): string {
  const shown = <T extends Box>(items: T[]) => (window ? items.filter((b) => meets(b, window)) : items);
  const frames = shown([...layout.frames].sort((a, b) => a.depth - b.depth)).map((f) => renderFrame(f, detail));
  const edges = window ? layout.edges.filter((e) => meets(edgeBox(e.points), window)) : layout.edges;
  return `${frames.join('')}${edges.map((e) => renderEdge(e, detail)).join('')}${arrowHeads(edges)}${shown(layout.nodes).map((n) => renderNode(n, detail)).join('')}`;
}
