// Two networks side by side: totals, and per stage (the network's own statements, matched by
// name) their parameters and MACs and the difference. Pure.

import type { Graph } from '../language/core/graph';

export interface CompareRow {
  name: string;
  /** Undefined where the network has no such stage. */
  a?: { params: number; macs: number; what: string };
  b?: { params: number; macs: number; what: string };
}

export interface Comparison {
  a: string;
  b: string;
  rows: CompareRow[];
  totals: CompareRow;
}

/** The top-level parts of a network, in its order: its stages, blocks and layers written in the network itself. */
function parts(graph: Graph): Map<string, { params: number; macs: number; what: string }> {
  const out = new Map<string, { params: number; macs: number; what: string }>();
  const groups = new Map(graph.groups.map((g) => [g.id, g]));
  for (const node of graph.nodes) {
    let top = node.parent;
    while (top && groups.get(top)?.parent) top = groups.get(top)!.parent;
    const group = top ? groups.get(top) : undefined;
    if (group) {
      if (!out.has(group.name)) out.set(group.name, { params: group.params, macs: group.macs, what: `${group.block}${group.repeat > 1 ? ` ×${group.repeat}` : ''}` });
    } else if (node.kind !== 'input' && node.kind !== 'output') out.set(node.name, { params: node.params, macs: node.macs, what: node.op });
  }
  return out;
}

export function compareGraphs(a: Graph, b: Graph): Comparison {
  const pa = parts(a);
  const pb = parts(b);
  // In a's order, then what only b has, in b's order.
  const names = [...pa.keys(), ...[...pb.keys()].filter((n) => !pa.has(n))];
  return {
    a: a.network,
    b: b.network,
    rows: names.map((name) => ({ name, a: pa.get(name), b: pb.get(name) })),
    totals: { name: 'Total', a: { params: a.params, macs: a.macs, what: '' }, b: { params: b.params, macs: b.macs, what: '' } },
  };
}

/** '+1.2 %' / '−3.4 %' / '' for no change; 'new' or 'gone' where one side lacks it. */
export function change(from: number | undefined, to: number | undefined): string {
  if (from === undefined) return to === undefined ? '' : 'new';
  if (to === undefined) return 'gone';
  if (from === to) return '';
  if (from === 0) return 'new';
  const pct = ((to - from) / from) * 100;
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)} %`;
}
