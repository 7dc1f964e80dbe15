// The layer table in the page: rows from table.ts, drawn by the toolkit's data grid.

import { formatCount } from '../language/core/format';
import type { Graph } from '../language/core/graph';
import { formatShare, sortRows, tableRows, type SortKey, type TableSort } from './table';
import { renderGrid, type GridColumn } from './toolkit';

type ColumnKey = 'name' | 'type' | 'shape' | 'params' | 'paramsShare' | 'macs' | 'macsShare';

const columns: (GridColumn<ColumnKey> & { sortKey?: SortKey })[] = [
  { key: 'name', title: 'Layer', width: 'minmax(150px, 2fr)', sortable: true, sortKey: 'name' },
  { key: 'type', title: 'Type', width: 'minmax(140px, 2fr)', sortable: true, sortKey: 'type' },
  { key: 'shape', title: 'Output shape', width: '110px', sortable: false },
  { key: 'params', title: 'Params', width: '95px', numeric: true, sortable: true, sortKey: 'params' },
  { key: 'paramsShare', title: '% params', width: '80px', numeric: true, sortable: false },
  { key: 'macs', title: 'MACs', width: '115px', numeric: true, sortable: true, sortKey: 'macs' },
  { key: 'macsShare', title: '% MACs', width: '75px', numeric: true, sortable: false },
];

export function renderLayerTable(container: HTMLElement, graph: Graph, sort: TableSort, onSort: (key: SortKey) => void, onActivate: (id: string) => void): void {
  const rows = sortRows(tableRows(graph), sort).map((row) => ({
    id: row.id,
    cells: {
      name: row.name,
      type: row.type,
      shape: row.shape,
      params: formatCount(row.params),
      paramsShare: formatShare(row.paramsShare),
      macs: formatCount(row.macs),
      macsShare: formatShare(row.macsShare),
    },
  }));
  const sorted = columns.find((c) => c.sortKey === sort.key);
  renderGrid(
    container,
    columns,
    rows,
    sorted ? { key: sorted.key, descending: sort.descending } : undefined,
    (key) => {
      const sortKey = columns.find((c) => c.key === key)?.sortKey;
      if (sortKey) onSort(sortKey);
    },
    onActivate,
  );
}
