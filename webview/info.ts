// The text around the diagram: the network's totals and the file's problems.

import { formatCount, formatDims, macsText } from '../language/core/format';
import { tensorLabel, type Graph } from '../language/core/graph';
import type { GraphResult } from '../contracts/graph';
import type { Dropdown } from './toolkit';

export interface SummaryElements {
  name: HTMLElement;
  totals: HTMLElement;
  networks: Dropdown;
}

export function renderSummary(elements: SummaryElements, result: GraphResult, graph: Graph | undefined, fileName: string): void {
  elements.name.textContent = graph ? graph.network : fileName;
  elements.name.title = fileName;
  const names = result.networks.map((n) => n.name);
  elements.networks.element.hidden = names.length < 2;
  elements.networks.setOptions(names, graph?.network);
  elements.totals.textContent = graph
    ? `${graph.input ? formatDims(graph.input) : '?'} → ${tensorLabel(graph.outputShape)} · ${formatCount(graph.params)} params · ${macsText(graph.macs)}`
    : 'no network in this file';
}

const shownProblems = 5;

/** The file's problems, each a link to its place; `stale` says the diagram is the last good one. */
export function renderProblems(container: HTMLElement, result: GraphResult, stale: boolean, reveal: (index: number) => void): void {
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const warnings = result.problems.length - errors;
  container.replaceChildren();
  container.hidden = result.problems.length === 0 && !stale;
  if (container.hidden) return;
  const plural = (n: number, word: string) => (n ? `${n} ${word}${n === 1 ? '' : 's'}` : '');
  const counts = [plural(errors, 'error'), plural(warnings, 'warning')].filter(Boolean).join(', ');
  const summary = document.createElement('div');
  summary.className = 'problems-summary';
  summary.textContent = stale ? `Showing the last valid diagram: the file has ${counts || 'errors'}.` : `${counts} in this file.`;
  const list = document.createElement('ul');
  result.problems.slice(0, shownProblems).forEach((p, index) => {
    const link = document.createElement('a');
    link.href = '#';
    link.className = `problem ${p.severity}`;
    link.textContent = `${p.code} (line ${p.line}): ${p.message}`;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      reveal(index);
    });
    const item = document.createElement('li');
    item.appendChild(link);
    list.appendChild(item);
  });
  if (result.problems.length > shownProblems) {
    const more = document.createElement('li');
    more.textContent = `… and ${result.problems.length - shownProblems} more (see the Problems panel)`;
    list.appendChild(more);
  }
  container.append(summary, list);
}
