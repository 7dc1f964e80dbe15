// The text a node of the diagram shows, line by line, and the size it needs to show it whole: the
// layout sizes nodes from it and the renderer draws it, so numbers are never cut. Pure.

import { macsText } from '../language/core/format';
import { tensorLabel } from '../language/core/graph';
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

export interface NodeText {
  /** Bold first line; for a folded group the repeat count ('×4') is drawn at its right. */
  name: string;
  repeat?: string;
  /** The op and its arguments, or the call of a folded group. */
  op?: string;
  stats: string[];
}

export function nodeText(item: VisibleNode): NodeText {
  if (item.type === 'folded') {
    const g = item.group;
    return {
      name: g.name,
      repeat: g.repeat > 1 ? `×${g.repeat}` : undefined,
      op: callText(g.block, g.args),
      stats: [`${compactCount(g.params)} params · ${macsText(g.macs)}`, `${tensorLabel(g.inputShape)} → ${tensorLabel(g.outputShape)}`],
    };
  }
  const n = item.node;
  if (n.kind === 'add') return { name: '+', stats: [] };
  if (n.kind === 'input' || n.kind === 'output') return { name: n.kind, stats: [tensorLabel(n.outputShape)] };
  const stats = n.params > 0 || n.macs > 0 ? `${compactCount(n.params)} params${n.macs > 0 ? ` · ${macsText(n.macs)}` : ''}` : tensorLabel(n.outputShape);
  return { name: shortName(n.name, n.parent), op: n.args ? `${n.op} ${n.args}` : n.op, stats: [stats] };
}

const minimum = {
  layer: { w: 176, h: 58 },
  folded: { w: 196, h: 70 },
  shortcut: { w: 150, h: 48 },
  add: { w: 34, h: 34 },
  terminal: { w: 132, h: 40 },
} as const;

/** Left padding of the text in a node, and what it keeps free at the right (the fold button of a folded node). */
export const textInset = 10;

/** The size a node needs, in CSS pixels: at least its kind's, wider where its text is longer. */
export function nodeSize(item: VisibleNode): { w: number; h: number } {
  const base =
    item.type === 'folded'
      ? minimum.folded
      : item.node.kind === 'add'
        ? minimum.add
        : item.node.kind === 'shortcut'
          ? minimum.shortcut
          : item.node.kind === 'input' || item.node.kind === 'output'
            ? minimum.terminal
            : minimum.layer;
  if (item.type === 'node' && item.node.kind === 'add') return base;
  const text = nodeText(item);
  const right = item.type === 'folded' ? 28 : textInset;
  const nameLine = text.name.length + (text.repeat ? text.repeat.length + 2 : 0);
  const longest = Math.max(nameLine, text.op?.length ?? 0, ...text.stats.map((s) => s.length));
  return { w: Math.max(base.w, Math.ceil(longest * charWidth + textInset + right)), h: base.h };
}
