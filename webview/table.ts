// The per-layer table, torchinfo style: one row per layer (shortcut layers included), its output
// shape, parameters and MACs with their share of the network's total. Pure; the toolkit draws it.

import type { Graph } from '../language/core/graph';
import { tensorLabel } from '../language/core/graph';

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
}

export type SortKey = 'order' | 'name' | 'type' | 'params' | 'macs';

export interface TableSort {
  key: SortKey;
  descending: boolean;
}

export function tableRows(graph: Graph): TableRow[] {
  return graph.nodes
    .filter((n) => n.kind === 'layer' || n.kind === 'shortcut')
    .map((n, order) => ({
      id: n.id,
      order,
      name: n.name,
      type: n.args ? `${n.op}(${n.args})` : n.op,
      shape: tensorLabel(n.outputShape),
      params: n.params,
      paramsShare: graph.params > 0 ? n.params / graph.params : 0,
      macs: n.macs,
      macsShare: graph.macs > 0 ? n.macs / graph.macs : 0,
    }));
}

export function sortRows(rows: TableRow[], sort: TableSort): TableRow[] {
  const sign = sort.descending ? -1 : 1;
  const compare = (a: TableRow, b: TableRow): number => {
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
  return { key, descending: key === 'params' || key === 'macs' };
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(share >= 0.1 ? 1 : 2)}%`;
}
