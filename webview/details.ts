// The details panel, like Netron's: for the node or group in focus its op, arguments, input and
// output shapes, parameters and MACs, its problems, and for a layer its weights with their shapes
// and — from the host, which reads the weights file — their statistics.

import { formatCount, macsText } from '../language/core/format';
import { tensorLabel, type Graph, type GraphDiagnostic, type GraphGroup, type GraphNode } from '../language/core/graph';
import type { LayerDetails } from '../contracts/preview';

/** Whether the host is asked for a layer's weights: layers and shortcut layers only. */
export function hasWeights(node: GraphNode | undefined): boolean {
  return !!node && (node.kind === 'layer' || node.kind === 'shortcut');
}

function inputShapes(graph: Graph, id: string): string {
  const shapes = graph.edges.filter((e) => e.to === id).map((e) => tensorLabel(e.shape));
  return shapes.length > 0 ? shapes.join(', ') : '—';
}

const number = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toPrecision(4));

function properties(rows: [string, string][]): HTMLElement {
  const list = document.createElement('dl');
  for (const [key, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = key;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
  return list;
}

function problems(list: GraphDiagnostic[]): HTMLElement[] {
  return list.map((d) => {
    const line = document.createElement('div');
    line.className = `problem ${d.severity}`;
    line.textContent = `${d.severity} ${d.code}: ${d.message}`;
    return line;
  });
}

function weightsTable(details: LayerDetails | undefined): HTMLElement {
  const section = document.createElement('div');
  section.className = 'weights';
  const heading = document.createElement('h3');
  heading.textContent = 'Weights';
  section.appendChild(heading);
  if (!details) {
    const waiting = document.createElement('p');
    waiting.textContent = 'Reading…';
    section.appendChild(waiting);
    return section;
  }
  if (details.weights.length === 0) {
    const none = document.createElement('p');
    none.textContent = 'No weights.';
    section.appendChild(none);
    return section;
  }
  const withStats = details.weights.some((w) => w.stats);
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['Key', 'Shape', ...(withStats ? ['min', 'max', 'mean', 'std', 'NaN/Inf'] : [])]) {
    const th = document.createElement('th');
    th.textContent = title;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const w of details.weights) {
    const tr = body.insertRow();
    tr.insertCell().textContent = w.key + (w.kind === 'buffer' ? ' (buffer)' : '');
    tr.insertCell().textContent = w.shape.length > 0 ? w.shape.join('×') : 'scalar';
    if (withStats) {
      const s = w.stats;
      for (const value of s ? [number(s.min), number(s.max), number(s.mean), number(s.std), String(s.nonFinite)] : ['', '', '', '', '']) {
        const td = tr.insertCell();
        td.className = 'numeric';
        td.textContent = value;
      }
      if (s && s.nonFinite > 0) tr.classList.add('has-error');
    }
  }
  section.appendChild(table);
  if (details.file || details.note) {
    const source = document.createElement('p');
    source.className = 'note';
    source.textContent = details.note ?? `Statistics from ${details.file}`;
    section.appendChild(source);
  }
  return section;
}

export function renderDetails(container: HTMLElement, graph: Graph | undefined, id: string | undefined, foldedProblems: GraphDiagnostic[] | undefined, weights: LayerDetails | undefined): void {
  const node: GraphNode | undefined = id ? graph?.nodes.find((n) => n.id === id) : undefined;
  const group: GraphGroup | undefined = id && !node ? graph?.groups.find((g) => g.id === id) : undefined;
  container.replaceChildren();
  container.hidden = !graph || (!node && !group);
  if (container.hidden || !graph) return;
  const title = document.createElement('h2');
  if (node) {
    title.textContent = `${node.name} — ${node.op}`;
    const rows: [string, string][] = [
      ['Op', node.op],
      ['Arguments', node.args || '—'],
      ['Input', inputShapes(graph, node.id)],
      ['Output', tensorLabel(node.outputShape)],
      ['Params', formatCount(node.params)],
      ['MACs', macsText(node.macs)],
    ];
    if (node.kind === 'shortcut') rows.splice(1, 0, ['Role', 'shortcut (projection) of the add']);
    container.append(title, properties(rows), ...problems(node.diagnostics));
    if (hasWeights(node)) container.appendChild(weightsTable(weights));
  } else if (group) {
    title.textContent = `${group.name} — ${group.block}${group.repeat > 1 ? ` ×${group.repeat}` : ''}`;
    container.append(
      title,
      properties([
        ['Kind', group.kind],
        ['Call', group.args || '—'],
        ['Input', tensorLabel(group.inputShape)],
        ['Output', tensorLabel(group.outputShape)],
        ['Params', formatCount(group.params)],
        ['MACs', macsText(group.macs)],
      ]),
      ...problems(foldedProblems ?? group.diagnostics),
    );
  }
}
