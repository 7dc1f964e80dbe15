// The layer table in the side pane: the hierarchy of table.ts as an HTML table with folding group
// rows, sortable headers, a totals row, and a click that shows the layer in the diagram.

import { formatCount, macsText } from '../language/core/format';
import type { Graph } from '../language/core/graph';
import type { LayerTimes } from './metric';
import { formatShare, hierarchyRows, sortRows, tableRows, totalsRow, type HierarchyRow, type SortKey, type TableRow, type TableSort } from './table';

type ColumnKey = 'name' | 'shape' | 'params' | 'paramsShare' | 'macs' | 'macsShare' | 'ms';

const columns: { key: ColumnKey; title: string; numeric?: boolean; sortKey?: SortKey; tip: string }[] = [
  { key: 'name', title: 'Layer (type)', sortKey: 'name', tip: 'Name and type; groups fold' },
  { key: 'shape', title: 'Output', tip: 'Output shape, C×H×W' },
  { key: 'params', title: 'Params', numeric: true, sortKey: 'params', tip: 'Parameters' },
  { key: 'paramsShare', title: '%', numeric: true, tip: 'Share of the parameters' },
  { key: 'macs', title: 'MACs', numeric: true, sortKey: 'macs', tip: 'Multiply-accumulates' },
  { key: 'macsShare', title: '%', numeric: true, tip: 'Share of the MACs' },
  { key: 'ms', title: 'ms', numeric: true, sortKey: 'ms', tip: 'Measured time of the last inference' },
];

export interface TableHandlers {
  onSort(key: SortKey): void;
  onToggle(id: string): void;
  onActivate(id: string): void;
}

function cell(row: TableRow, key: ColumnKey): string {
  switch (key) {
    case 'name':
      return row.name;
    case 'shape':
      return row.shape;
    case 'params':
      return formatCount(row.params);
    case 'paramsShare':
      return formatShare(row.paramsShare);
    case 'macs':
      return macsText(row.macs).replace(/ ?MACs$/, '');
    case 'macsShare':
      return formatShare(row.macsShare);
    case 'ms':
      return row.ms === undefined ? '' : row.ms.toFixed(row.ms >= 10 ? 1 : 2);
  }
}

export function renderLayerTable(container: HTMLElement, graph: Graph, sort: TableSort, expanded: ReadonlySet<string>, times: LayerTimes | undefined, handlers: TableHandlers): void {
  const shown = columns.filter((c) => c.key !== 'ms' || times);
  const table = document.createElement('table');
  table.className = 'layers';
  const head = table.createTHead().insertRow();
  for (const column of shown) {
    const th = document.createElement('th');
    th.dataset.key = column.key;
    th.title = column.tip;
    if (column.numeric) th.classList.add('numeric');
    const arrow = column.sortKey && sort.key === column.sortKey ? (sort.descending ? ' ▾' : ' ▴') : '';
    th.textContent = column.title + arrow;
    if (column.sortKey) {
      th.classList.add('sortable');
      th.tabIndex = 0;
      th.setAttribute('aria-sort', sort.key === column.sortKey ? (sort.descending ? 'descending' : 'ascending') : 'none');
      const key = column.sortKey;
      th.addEventListener('click', () => handlers.onSort(key));
      th.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          handlers.onSort(key);
        }
      });
    }
    head.appendChild(th);
  }
  const body = table.createTBody();
  // In execution order the hierarchy folds; sorted by a column, the layers alone.
  const rows: (TableRow & Partial<HierarchyRow>)[] = sort.key === 'order' ? hierarchyRows(graph, expanded, times) : sortRows(tableRows(graph, times), sort);
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.id = row.id;
    tr.tabIndex = -1;
    if (row.group) tr.classList.add('group');
    for (const column of shown) {
      const td = tr.insertCell();
      if (column.numeric) td.classList.add('numeric');
      if (column.key === 'name') {
        td.classList.add('name');
        td.dataset.depth = String(Math.min(row.depth ?? 0, 4));
        if (row.group) {
          const toggle = document.createElement('span');
          toggle.className = `codicon codicon-chevron-${expanded.has(row.id) ? 'down' : 'right'} toggle`;
          toggle.dataset.toggle = row.id;
          td.appendChild(toggle);
        }
        const name = document.createElement('span');
        name.className = 'layer-name';
        name.textContent = row.name;
        const type = document.createElement('span');
        type.className = 'layer-type';
        type.textContent = row.type;
        td.append(name, ' ', type);
      } else td.textContent = cell(row, column.key);
    }
  }
  const foot = table.createTFoot().insertRow();
  const totals = totalsRow(graph, times);
  for (const column of shown) {
    const td = foot.insertCell();
    if (column.numeric) td.classList.add('numeric');
    td.textContent = column.key === 'name' ? `Total (${totals.type})` : cell(totals, column.key);
  }
  table.addEventListener('click', (event) => {
    const target = event.target as Element;
    const toggle = target.closest<HTMLElement>('[data-toggle]');
    if (toggle) return handlers.onToggle(toggle.dataset.toggle!);
    const row = target.closest<HTMLElement>('tbody tr');
    if (row?.dataset.id) handlers.onActivate(row.dataset.id);
  });
  table.addEventListener('keydown', (event) => {
    const row = (event.target as Element).closest<HTMLElement>('tbody tr');
    if (!row?.dataset.id) return;
    if (event.key === 'Enter') handlers.onActivate(row.dataset.id);
    if (row.classList.contains('group') && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) handlers.onToggle(row.dataset.id);
  });
  container.replaceChildren(table);
}
