// The per-layer table, torchinfo style: the stage and block hierarchy (each group a row that folds,
// with its totals), every layer (shortcut layers included) with its output shape, parameters and MACs
// and their share of the network's total, measured time when an inference ran, and a totals row.
// Sorting by a column lists the layers alone. Pure; table-view.ts draws it.

import type { Graph } from '../language/core/graph';
import { tensorLabel } from '../language/core/graph';
import type { LayerTimes } from './metric';

export interface TableRow {
  id: string;
  /** Position in the network, to sort back to execution order. */
  order: number;
  name: string;
  type: string;
  shape: string;
  params: number;
  paramsShare: number;
  macs: number;
  macsShare: number;
  /** Measured milliseconds, when an inference ran. */
  ms?: number;
}

export interface HierarchyRow extends TableRow {
  depth: number;
  /** A stage or block: it folds. */
  group: boolean;
}

export type SortKey = 'order' | 'name' | 'type' | 'params' | 'macs' | 'ms';

export interface TableSort {
  key: SortKey;
  descending: boolean;
}

const share = (part: number, total: number) => (total > 0 ? part / total : 0);

export function tableRows(graph: Graph, times?: LayerTimes): TableRow[] {
  return graph.nodes
    .filter((n) => n.kind === 'layer' || n.kind === 'shortcut')
    .map((n, order) => ({
      id: n.id,
      order,
      name: n.name,
      type: n.args ? `${n.op}(${n.args})` : n.op,
      shape: tensorLabel(n.outputShape),
      params: n.params,
      paramsShare: share(n.params, graph.params),
      macs: n.macs,
      macsShare: share(n.macs, graph.macs),
      ...(times ? { ms: times.get(n.name) ?? 0 } : {}),
    }));
}

/**
 * The rows in execution order with their groups: a group's row comes before its members, which are
 * listed only while it is in `expanded`.
 */
export function hierarchyRows(graph: Graph, expanded: ReadonlySet<string>, times?: LayerTimes): HierarchyRow[] {
  const layers = new Map(tableRows(graph, times).map((r) => [r.id, r]));
  const groups = new Map(graph.groups.map((g) => [g.id, g]));
  const depth = new Map<string, number>();
  for (const g of graph.groups) depth.set(g.id, g.parent ? depth.get(g.parent)! + 1 : 0);
  const groupMs = new Map<string, number>();
  if (times) {
    for (const node of graph.nodes) for (let p = node.parent; p; p = groups.get(p)?.parent) groupMs.set(p, (groupMs.get(p) ?? 0) + (layers.get(node.id)?.ms ?? 0));
  }
  const shownGroup = (id: string | undefined): boolean => !id || (expanded.has(id) && shownGroup(groups.get(id)?.parent));
  const rows: HierarchyRow[] = [];
  const started = new Set<string>();
  let order = 0;
  for (const node of graph.nodes) {
    const chain: string[] = [];
    for (let p = node.parent; p && !started.has(p); p = groups.get(p)?.parent) chain.unshift(p);
    for (const id of chain) {
      started.add(id);
      const g = groups.get(id)!;
      if (!shownGroup(g.parent)) continue;
      rows.push({
        id,
        order: order++,
        depth: depth.get(id)!,
        group: true,
        name: g.name,
        type: `${g.block}${g.repeat > 1 ? ` ×${g.repeat}` : ''}`,
        shape: tensorLabel(g.outputShape),
        params: g.params,
        paramsShare: share(g.params, graph.params),
        macs: g.macs,
        macsShare: share(g.macs, graph.macs),
        ...(times ? { ms: groupMs.get(id) ?? 0 } : {}),
      });
    }
    const layer = layers.get(node.id);
    if (layer && shownGroup(node.parent)) rows.push({ ...layer, order: order++, depth: node.parent ? depth.get(node.parent)! + 1 : 0, group: false });
  }
  return rows;
}

/** The totals row: the network's parameters and MACs (and the sum of the measured times). */
export function totalsRow(graph: Graph, times?: LayerTimes): TableRow {
  let ms = 0;
  if (times) for (const row of tableRows(graph, times)) ms += row.ms ?? 0;
  return {
    id: '',
    order: -1,
    name: 'Total',
    type: `${graph.nodes.filter((n) => n.kind === 'layer' || n.kind === 'shortcut').length} layers`,
    shape: tensorLabel(graph.outputShape),
    params: graph.params,
    paramsShare: 1,
    macs: graph.macs,
    macsShare: 1,
    ...(times ? { ms } : {}),
  };
}

export function sortRows<T extends TableRow>(rows: T[], sort: TableSort): T[] {
  const sign = sort.descending ? -1 : 1;
  const compare = (a: T, b: T): number => {
    const va = a[sort.key];
    const vb = b[sort.key];
    const primary = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return primary !== 0 ? sign * primary : a.order - b.order;
  };
  return [...rows].sort(compare);
}

/** Clicking the sorted column flips its order; another column sorts by it, largest first for numbers. */
export function nextSort(current: TableSort, key: SortKey): TableSort {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: key === 'params' || key === 'macs' || key === 'ms' };
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(share >= 0.1 ? 1 : 2)}%`;
}
