// The diagram as SVG markup, from a layout. Pure (a string out), so the webview sets it in one
// assignment (no half-drawn frame) and the benchmark measures the same code. Colours come from
// classes styled with VS Code's theme variables in media/preview.css; nothing here is inline style,
// which the webview's Content-Security-Policy would refuse.

import { macsText } from '../language/core/format';
import type { GraphDiagnostic } from '../language/core/graph';
import { tensorLabel } from '../language/core/graph';
import type { VisibleNode } from './fold';
import { frameHeader, frameTitle, type Box, type Layout, type PlacedEdge, type PlacedFrame, type PlacedNode } from './layout';
import { badgeCharWidth, charWidth, nodeShape, nodeText, pillGap, pillTag, pillTagWidth, textInset } from './node-text';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
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
  mul: 'op-add',
  cat: 'op-add',
  slice: 'op-add',
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

function renderNode(placed: PlacedNode, detail: boolean, heat: Map<string, number> | undefined): string {
  const { item, x, y, w, h } = placed;
  const severity = worst(diagnosticsOf(item));
  const shape = nodeShape(item);
  const classes = ['node', `shape-${shape}`];
  const parts: string[] = [];
  const cx = x + w / 2;
  const cy = y + h / 2;
  const level = heat?.get(item.id);
  if (level !== undefined) classes.push('heat', `heat-${level}`);
  if (item.type === 'folded') classes.push('folded', item.group.kind === 'stage' ? 'op-stage' : 'op-block');
  else classes.push(`kind-${item.node.kind}`, opClass[item.node.op] ?? 'op-misc');
  const text = nodeText(item);
  if (shape === 'circle') parts.push(`<circle class="node-box" cx="${cx}" cy="${cy}" r="${w / 2}"/>`);
  else parts.push(`<rect class="node-box" x="${x}" y="${y}" width="${w}" height="${h}" rx="${shape === 'terminal' || shape === 'pill' ? h / 2 : item.type === 'folded' ? 6 : 4}"/>`);
  if (!detail) {
    // Zoomed out too far to read: the shape and its colour only.
    if (shape === 'box') parts.push(`<rect class="node-accent" x="${x}" y="${y}" width="6" height="${h}"/>`);
  } else if (shape === 'circle') {
    parts.push(`<text class="node-plus" x="${cx}" y="${cy + 6}" text-anchor="middle">${item.type === 'node' && item.node.op === 'mul' ? '×' : '+'}</text>`);
  } else if (shape === 'pill') {
    // The tag (a glyph in a circle, or a word), then the value's name, then its details.
    const tag = text.op ?? '';
    const tagWidth = pillTagWidth(tag);
    let at = x + textInset;
    if (tag.length === 1) {
      parts.push(`<circle class="pill-tag" cx="${at + pillTag / 2}" cy="${cy}" r="${pillTag / 2}"/>`);
      parts.push(`<text class="pill-glyph" x="${at + pillTag / 2}" y="${cy + 4.5}" text-anchor="middle">${escapeXml(tag)}</text>`);
    } else {
      parts.push(`<rect class="pill-tag" x="${at}" y="${cy - 8}" width="${tagWidth}" height="16" rx="8"/>`);
      parts.push(`<text class="pill-word" x="${at + tagWidth / 2}" y="${cy + 3.5}" text-anchor="middle">${escapeXml(tag)}</text>`);
    }
    at += tagWidth;
    if (text.name) {
      parts.push(`<text class="node-name" x="${at + pillGap}" y="${cy + 4}">${escapeXml(text.name)}</text>`);
      at += pillGap + text.name.length * charWidth;
    }
    for (const detailText of text.stats) {
      parts.push(`<text class="node-op" x="${at + pillGap}" y="${cy + 4}">${escapeXml(detailText)}</text>`);
      at += pillGap + detailText.length * charWidth;
    }
  } else if (shape === 'terminal') {
    parts.push(`<text class="node-name" x="${cx}" y="${y + 16}" text-anchor="middle">${escapeXml(text.name)}</text>`);
    parts.push(`<text class="node-stats" x="${cx}" y="${y + 30}" text-anchor="middle">${escapeXml(text.stats[0])}</text>`);
  } else if (item.type === 'folded') {
    parts.push(`<rect class="node-stack" x="${x + 4}" y="${y + h}" width="${w - 8}" height="3" rx="1"/>`);
    parts.push(`<text class="node-name" x="${x + textInset}" y="${y + 18}">${escapeXml(text.name)}</text>`);
    if (text.repeat) parts.push(`<text class="node-repeat" x="${x + w - textInset}" y="${y + 18}" text-anchor="end">${text.repeat}</text>`);
    if (text.shared) parts.push(sharedBadge(text.shared, x + w - textInset - (text.repeat ? (text.repeat.length + 1) * charWidth : 0), y + 6));
    parts.push(`<text class="node-op" x="${x + textInset}" y="${y + 35}">${escapeXml(text.op ?? '')}</text>`);
    text.stats.forEach((line, i) => parts.push(`<text class="node-stats" x="${x + textInset}" y="${y + 52 + i * 12}">${escapeXml(line)}</text>`));
    parts.push(
      `<g class="fold-toggle" data-fold="${escapeXml(item.id)}" role="button" aria-label="Unfold ${escapeXml(item.group.name)}"><title>Unfold ${escapeXml(item.group.name)}</title>` +
        `<rect class="fold-toggle-box" x="${x + w - 24}" y="${y + h - 24}" width="18" height="18" rx="3"/>` +
        `<text class="fold-toggle-glyph" x="${x + w - 15}" y="${y + h - 10}" text-anchor="middle">+</text></g>`,
    );
  } else {
    const small = item.node.kind === 'shortcut';
    parts.push(`<rect class="node-accent" x="${x}" y="${y}" width="4" height="${h}" rx="2"/>`);
    parts.push(`<text class="node-name" x="${x + textInset}" y="${y + 16}">${escapeXml(text.name)}</text>`);
    if (text.shared) parts.push(sharedBadge(text.shared, x + w - textInset, y + 5));
    parts.push(`<text class="node-op" x="${x + textInset}" y="${y + (small ? 29 : 32)}">${escapeXml(text.op ?? '')}</text>`);
    parts.push(`<text class="node-stats" x="${x + textInset}" y="${y + (small ? 42 : 48)}">${escapeXml(text.stats[0])}</text>`);
  }
  if (severity) {
    classes.push(`has-${severity}`);
    const mx = shape === 'circle' ? x + w : x + w - 2;
    parts.push(`<circle class="diag-mark" cx="${mx}" cy="${y + 2}" r="${detail ? 7 : 14}"/>`);
    if (detail) parts.push(`<text class="diag-glyph" x="${mx}" y="${y + 6}" text-anchor="middle">!</text>`);
  }
  const label = escapeXml(nodeTitle(item));
  const title = detail ? `<title>${label}</title>` : '';
  return `<g class="${classes.join(' ')}" data-id="${escapeXml(item.id)}" tabindex="-1" role="button" aria-label="${label.replace(/\n/g, ', ')}">${title}${parts.join('')}</g>`;
}

/** 'shared ×2' in a rounded badge whose right end is at `right`, its top at `top`. */
function sharedBadge(text: string, right: number, top: number): string {
  const width = Math.ceil(text.length * badgeCharWidth) + 10;
  return `<g class="shared-badge"><rect x="${right - width}" y="${top}" width="${width}" height="14" rx="7"/><text x="${right - width / 2}" y="${top + 10.5}" text-anchor="middle">${escapeXml(text)}</text></g>`;
}

/** A frame's box; its header is drawn separately, over the edges that enter the frame. */
function renderFrame(placed: PlacedFrame): string {
  const { item, x, y, w, h, depth } = placed;
  const severity = worst(item.group.diagnostics);
  const classes = ['frame', `frame-${item.group.kind}`, `depth-${Math.min(depth, 3)}`, ...(severity ? [`has-${severity}`] : [])];
  return `<g class="${classes.join(' ')}" data-id="${escapeXml(item.id)}"><rect class="frame-box" x="${x}" y="${y}" width="${w}" height="${h}" rx="8"/></g>`;
}

function renderFrameHeader(placed: PlacedFrame, detail: boolean): string {
  const { item, header } = placed;
  const g = item.group;
  const severity = worst(g.diagnostics);
  const title = frameTitle(item);
  const tooltip = escapeXml([title, ...g.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`)].join('\n'));
  const { x, y, w } = header;
  return (
    `<g class="frame-header${severity ? ` has-${severity}` : ''}" data-fold="${escapeXml(item.id)}" data-header="${escapeXml(item.id)}" tabindex="-1" role="button" aria-expanded="true" aria-label="${tooltip.replace(/\n/g, ', ')}"><title>${tooltip}</title>` +
    `<path class="frame-header-band" d="M${x},${y + frameHeader}V${y + 8}Q${x},${y} ${x + 8},${y}H${x + w - 8}Q${x + w},${y} ${x + w},${y + 8}V${y + frameHeader}Z"/>` +
    (detail ? `<text class="frame-title" x="${x + 10}" y="${y + 15}">▾ ${escapeXml(title)}</text>` : '') +
    (severity ? `<circle class="diag-mark" cx="${x + w - 12}" cy="${y + 11}" r="7"/><text class="diag-glyph" x="${x + w - 12}" y="${y + 15}" text-anchor="middle">!</text>` : '') +
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
  const { edge, points, label, fork } = placed;
  return (
    `<g class="edge edge-${edge.kind}" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}">` +
    `<path d="${pathData(points)}"/>` +
    (fork ? `<circle class="fork" cx="${points[0][0]}" cy="${points[0][1]}" r="3"/>` : '') +
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
  /** Per node id, a level 0–5 of the metric the nodes are coloured by. */
  heat?: Map<string, number>;
}

const meets = (a: Box, b: Box) => a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;

function edgeBox(points: [number, number][]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x: x - 4, y: y - 14, w: Math.max(...xs) - x + 90, h: Math.max(...ys) - y + 28 };
}

/** The diagram's content: frames under edges under frame headers under nodes. */
export function renderDiagram(layout: Layout, { window, detail = true, heat }: RenderOptions = {}): string {
  const shown = <T extends Box>(items: T[]) => (window ? items.filter((b) => meets(b, window)) : items);
  const frames = shown([...layout.frames].sort((a, b) => a.depth - b.depth));
  const edges = window ? layout.edges.filter((e) => meets(edgeBox(e.points), window)) : layout.edges;
  return (
    frames.map(renderFrame).join('') +
    edges.map((e) => renderEdge(e, detail)).join('') +
    arrowHeads(edges) +
    frames.map((f) => renderFrameHeader(f, detail)).join('') +
    shown(layout.nodes)
      .map((n) => renderNode(n, detail, heat))
      .join('')
  );
}
