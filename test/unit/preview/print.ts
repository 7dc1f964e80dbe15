// Readable text of a graph and its layout, for the fixture files under test/fixtures/graph/.

import { tensorLabel, type Graph, type GraphDiagnostic } from '../../../language/core/graph';
import type { LineMap } from '../../../language/core/positions';
import type { Span } from '../../../language/core/syntax';
import type { Layout } from '../../../webview/layout';

export function printGraph(graph: Graph, lines: LineMap): string {
  const at = (span: Span) => {
    const { start, end } = lines.range(span);
    return `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}`;
  };
  const diags = (list: GraphDiagnostic[]) => list.map((d) => `\n      ! ${d.severity} ${d.code} at ${at(d.span)}: ${d.message}`).join('');
  const out = [
    `network ${graph.network} ${graph.input?.join('×') ?? '?'} → ${tensorLabel(graph.outputShape)}, ${graph.params} params, ${graph.macs} MACs`,
    ...graph.diagnostics.map((d) => `  ! ${d.severity} ${d.code}: ${d.message}`),
    'groups:',
    ...graph.groups.map(
      (g) => `  ${g.id} ${g.kind} ${g.block}${g.repeat > 1 ? ` ×${g.repeat}` : ''} (${g.args}) in ${g.parent ?? '-'} ${tensorLabel(g.inputShape)} → ${tensorLabel(g.outputShape)} ${g.params}p ${g.macs}m${g.uses ? ` used ×${g.uses}` : ''} @${at(g.range)}${diags(g.diagnostics)}`,
    ),
    'nodes:',
    ...graph.nodes.map(
      (n) =>
        `  ${n.id} ${n.kind} ${n.op}${n.args ? `(${n.args})` : ''} in ${n.parent ?? '-'}${n.shortcutOf ? ` for ${n.shortcutOf}` : ''}${n.shares ? ` shares ${n.shares}` : ''} → ${tensorLabel(n.outputShape)} ${n.params}p ${n.macs}m${n.uses ? ` used ×${n.uses}` : ''} @${at(n.range)}${diags(n.diagnostics)}`,
    ),
    'edges:',
    ...graph.edges.map((e) => `  ${e.from} -${e.kind}-> ${e.to} [${tensorLabel(e.shape)}]${e.diagnostics ? ` ! ${e.diagnostics.map((d) => d.code).join(', ')}` : ''}`),
  ];
  return out.join('\n') + '\n';
}

const round = (n: number) => Math.round(n * 10) / 10;

export function printLayout(layout: Layout): string {
  return [
    `layout ${layout.direction} ${round(layout.width)}×${round(layout.height)}`,
    ...layout.frames.map((f) => `  frame ${f.item.id} depth ${f.depth} at ${round(f.x)},${round(f.y)} ${round(f.w)}×${round(f.h)}`),
    ...layout.nodes.map((n) => `  node ${n.item.id} at ${round(n.x)},${round(n.y)} ${n.w}×${n.h}`),
    ...layout.edges.map((e) => `  edge ${e.edge.id} ${e.points.map(([x, y]) => `${round(x)},${round(y)}`).join(' ')} "${e.label.text}"`),
  ].join('\n') + '\n';
}
