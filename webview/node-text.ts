// The text a node of the diagram shows, line by line, and the size it needs to show it whole: the
// layout sizes nodes from it and the renderer draws it, so numbers are never cut. Pure.

import { macsText } from '../language/core/format';
import { tensorLabel } from '../language/core/graph';
import type { GraphGroup, GraphNode } from '../language/core/graph';
import type { VisibleNode } from './fold';

/** A generous average glyph width of the diagram's 11–12 px fonts (the op line is monospace). */
export const charWidth = 7.2;
/** Glyph width of the 10 px monospace edge labels. */
export const labelCharWidth = 6.2;

/** 25557032 → '25.6M', 9408 → '9.4K'. */
export function compactCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** Inside a block the block's name is known from its frame: 'layer1.0.conv1' shows as 'conv1'. */
export function shortName(name: string, parent: string | undefined): string {
  if (!parent) return name;
  const prefix = parent.replace(/^g:/, '').replace(/#\d+$/, '');
  return name.startsWith(`${prefix}.`) ? name.slice(prefix.length + 1) : name;
}

/**
 * A folded group's call: as written in the network ('bottleneck(128) x4 stride=2'); for a block
 * inside a stage, whose arguments are all listed, its first two and how many more (the details
 * panel lists them all).
 */
export function callText(block: string, args: string): string {
  if (args.startsWith(`${block}(`) || args === '') return args || block;
  const parts = args.split(', ');
  return parts.length <= 2 ? `${block} ▸ ${args}` : `${block} ▸ ${parts.slice(0, 2).join(', ')} (+${parts.length - 2})`;
}

/** A group by the last part of its name ('denseblock1', 'denselayer1', 'ChannelGate'), but 'layer1.2' rather than '2'. */
export function groupName(g: GraphGroup): string {
  const last = g.name.slice(g.name.lastIndexOf('.') + 1);
  return /^\d+$/.test(last) ? g.name : last;
}

export interface NodeText {
  /** Bold first line; for a folded group the repeat count ('×4') is drawn at its right. */
  name: string;
  repeat?: string;
  /** The op and its arguments, or the call of a folded group; on a pill, its tag ('cat', '+', '×', 'split'). */
  op?: string;
  stats: string[];
  /** 'shared ×2': a module applied more than once (the module itself, and each reuse of it). */
  shared?: string;
}

/**
 * How a node is drawn: a box (layers, folded groups), a circle (an unnamed add or multiply: the
 * residual add), a pill (a named merge, a concatenation, one output of a split: small, with its tag
 * and the value's name), or the rounded input and output.
 */
export type NodeShape = 'box' | 'circle' | 'pill' | 'terminal';

export function nodeShape(item: VisibleNode): NodeShape {
  if (item.type === 'folded') return 'box';
  const n = item.node;
  if (n.kind === 'input' || n.kind === 'output') return 'terminal';
  if (n.kind === 'add') return 'circle';
  if (n.kind === 'merge') return n.op !== 'cat' && valueName(n) === undefined ? 'circle' : 'pill';
  if (n.op === 'slice') return 'pill';
  return 'box';
}

/** The glyph of an element-wise merge, the word of the others. */
const tags: Record<string, string> = { add: '+', mul: '×', cat: 'cat', slice: 'split' };

/** The name the file gives a merge's value ('attention'), when it gave one. */
function valueName(n: GraphNode): string | undefined {
  const name = shortName(n.name, n.parent);
  const last = name.split('.').at(-1);
  return last === n.op ? undefined : name;
}

function sharedText(uses: number | undefined): string | undefined {
  return uses && uses > 1 ? `shared ×${uses}` : undefined;
}

export function nodeText(item: VisibleNode): NodeText {
  if (item.type === 'folded') {
    const g = item.group;
    return {
      name: groupName(g),
      // The layers of a `sequential(…)` are not repeats of one another.
      repeat: g.repeat > 1 && g.block !== 'sequential' ? `×${g.repeat}` : undefined,
      op: callText(g.block, g.args),
      stats: [`${compactCount(g.params)} params · ${macsText(g.macs)}`, `${tensorLabel(g.inputShape)} → ${tensorLabel(g.outputShape)}`],
      shared: sharedText(g.uses),
    };
  }
  const n = item.node;
  if (n.kind === 'add') return { name: '+', stats: [] };
  if (n.kind === 'input' || n.kind === 'output') return { name: n.kind, stats: [tensorLabel(n.outputShape)] };
  if (n.kind === 'merge' || n.op === 'slice') return { name: valueName(n) ?? '', op: tags[n.op] ?? n.op, stats: n.args ? [n.args] : [] };
  if (n.kind === 'reuse') {
    const module = n.shares ? shortName(n.shares.replace(/^[gn]:/, ''), n.parent) : n.name;
    return { name: shortName(n.name, n.parent), op: `= ${module}, same weights`, stats: [tensorLabel(n.outputShape)], shared: sharedText(n.uses) };
  }
  const stats = n.params > 0 || n.macs > 0 ? `${compactCount(n.params)} params${n.macs > 0 ? ` · ${macsText(n.macs)}` : ''}` : tensorLabel(n.outputShape);
  return { name: shortName(n.name, n.parent), op: n.args ? `${n.op} ${n.args}` : n.op, stats: [stats], shared: sharedText(n.uses) };
}

const minimum = {
  layer: { w: 176, h: 58 },
  folded: { w: 196, h: 70 },
  shortcut: { w: 150, h: 48 },
  add: { w: 34, h: 34 },
  pill: { w: 60, h: 26 },
  terminal: { w: 132, h: 40 },
} as const;

/** Left padding of the text in a node, and what it keeps free at the right (the fold button of a folded node). */
export const textInset = 10;
/** A pill's tag: a circle of this diameter, or a word in a rounded box this much wider than the word. */
export const pillTag = 18;
/** Between a pill's tag, its name and its details. */
export const pillGap = 6;
/** Glyph width of the 10 px 'shared ×2' badge. */
export const badgeCharWidth = 6.2;

/** The width a pill's tag takes: a circle for a glyph, a rounded box for a word. */
export function pillTagWidth(tag: string): number {
  return tag.length === 1 ? pillTag : Math.ceil(tag.length * 6.4) + 10;
}

/** The size a node needs, in CSS pixels: at least its kind's, wider where its text is longer. */
export function nodeSize(item: VisibleNode): { w: number; h: number } {
  const shape = nodeShape(item);
  if (shape === 'circle') return minimum.add;
  const text = nodeText(item);
  if (shape === 'pill') {
    const words = [text.name, ...text.stats].filter((s) => s !== '');
    const content = pillTagWidth(text.op ?? '') + words.reduce((sum, s) => sum + pillGap + s.length * charWidth, 0);
    return { w: Math.max(minimum.pill.w, Math.ceil(content + 2 * textInset)), h: minimum.pill.h };
  }
  const base =
    item.type === 'folded' ? minimum.folded : item.node.kind === 'shortcut' ? minimum.shortcut : shape === 'terminal' ? minimum.terminal : minimum.layer;
  const right = item.type === 'folded' ? 28 : textInset;
  // The badge shares the name's line, at its right.
  const badge = text.shared ? Math.ceil(text.shared.length * badgeCharWidth) + 16 : 0;
  const nameLine = text.name.length * charWidth + (text.repeat ? (text.repeat.length + 2) * charWidth : 0) + badge;
  const longest = Math.max(nameLine, ...[text.op ?? '', ...text.stats].map((s) => s.length * charWidth));
  return { w: Math.max(base.w, Math.ceil(longest + textInset + right)), h: base.h };
}
