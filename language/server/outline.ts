// Document symbols (the outline): networks with their layers and stages, blocks with their
// parameters, constants and layers.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import { formatShape } from '../core/format';
import type { OutlineEntry } from './items';
import { toDocumentSymbol } from './convert';
import type { Documents } from './documents';

export function registerOutline(connection: Connection, documents: Documents): void {
  connection.onDocumentSymbol((params) => {
    const analysed = documents.analysed(params.textDocument.uri);
    return analysed ? outline(analysed.analysis).map((entry) => toDocumentSymbol(entry, analysed.analysis.lines)) : [];
  });
}

export function outline(analysis: Analysis): OutlineEntry[] {
  return analysis.tree.declarations.flatMap((d): OutlineEntry[] => {
    if (d.name.kind !== 'identifier') return [];
    const children: OutlineEntry[] = [];
    if (d.kind === 'block') for (const p of d.parameters) children.push({ name: p.name.text, kind: 'parameter', span: p.span, selectionSpan: p.name.span, children: [] });
    for (const s of d.body.statements) {
      if (s.kind === 'let') children.push({ name: s.name.text, kind: 'constant', span: s.span, selectionSpan: s.name.span, children: [] });
      if (s.kind !== 'call' || !s.name) continue;
      const node = d.kind === 'network' ? analysis.sourceMap.nodesOf('file', s.span)[0]?.node : undefined;
      children.push({
        name: s.name.text,
        detail: `${s.callee.text}${s.repeat ? ` x${s.repeat.count ?? ` ${analysis.text.slice(s.repeat.expression!.span.start, s.repeat.expression!.span.end)}`}` : ''}${node?.outputShape ? ` → ${formatShape(node.outputShape)}` : ''}`,
        kind: s.repeat ? 'stage' : 'layer',
        span: s.span,
        selectionSpan: s.name.span,
        children: [],
      });
    }
    return [{ name: d.name.text, detail: d.kind, kind: d.kind, span: d.span, selectionSpan: d.name.span, children }];
  });
}
