// The comparison in the side pane: both networks' totals and per-stage parameters and MACs, with
// the change from the shown network to the other.

import { formatCount, macsText } from '../language/core/format';
import type { Graph } from '../language/core/graph';
import { change, compareGraphs, type CompareRow } from './compare';

/** MACs without the unit the column header gives: '4.09 G'. */
const macs = (n: number) => macsText(n).replace(/ ?MACs$/, '');

export function renderComparison(container: HTMLElement, shown: Graph | undefined, other: { label: string; graph?: Graph } | undefined, onClose: () => void): void {
  container.replaceChildren();
  container.hidden = !shown || !other?.graph;
  if (container.hidden || !shown || !other?.graph) return;
  const comparison = compareGraphs(shown, other.graph);
  const title = document.createElement('h2');
  title.textContent = `${comparison.a} vs ${comparison.b}`;
  const close = document.createElement('span');
  close.className = 'codicon codicon-close close';
  close.title = 'Close the comparison';
  close.setAttribute('role', 'button');
  close.tabIndex = 0;
  close.addEventListener('click', onClose);
  title.appendChild(close);
  const from = document.createElement('p');
  from.className = 'note';
  from.textContent = `${comparison.b}: ${other.label}`;
  const table = document.createElement('table');
  table.className = 'compare';
  const head = table.createTHead();
  const top = head.insertRow();
  for (const [text, span] of [
    ['', 1],
    ['Params', 3],
    ['MACs', 3],
  ] as const) {
    const th = document.createElement('th');
    th.textContent = text;
    th.colSpan = span;
    top.appendChild(th);
  }
  const second = head.insertRow();
  for (const text of ['Stage', comparison.a, comparison.b, 'Δ', comparison.a, comparison.b, 'Δ']) {
    const th = document.createElement('th');
    th.textContent = text;
    second.appendChild(th);
  }
  const line = (row: CompareRow, into: HTMLTableRowElement) => {
    const cells = [
      row.name,
      row.a ? formatCount(row.a.params) : '—',
      row.b ? formatCount(row.b.params) : '—',
      change(row.a?.params, row.b?.params),
      row.a ? macs(row.a.macs) : '—',
      row.b ? macs(row.b.macs) : '—',
      change(row.a?.macs, row.b?.macs),
    ];
    cells.forEach((text, i) => {
      const td = into.insertCell();
      td.textContent = text;
      if (i > 0) td.className = 'numeric';
      if ((i === 3 || i === 6) && text !== '') td.classList.add('changed');
    });
    if (row.a?.what && row.b?.what && row.a.what !== row.b.what) into.title = `${row.a.what} → ${row.b.what}`;
  };
  const body = table.createTBody();
  for (const row of comparison.rows) line(row, body.insertRow());
  line(comparison.totals, table.createTFoot().insertRow());
  container.append(title, from, table);
}
