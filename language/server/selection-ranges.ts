// Selection ranges (expand selection): word → expression → argument → argument list → statement →
// body → declaration → file.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import type { Expression, Span, Statement } from '../core/syntax';
import { toSelectionRange } from './convert';
import type { Documents } from './documents';

export function registerSelectionRanges(connection: Connection, documents: Documents): void {
  connection.onSelectionRanges((params) => {
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed) return [];
    const { analysis } = analysed;
    return params.positions.map((p) => {
      return toSelectionRange(selectionSpans(analysis, analysis.lines.offset(p)), analysis.lines) ?? { range: { start: p, end: p } };
    });
  });
}

/** The spans around an offset, innermost first, each strictly larger than the one before. */
export function selectionSpans(analysis: Analysis, offset: number): Span[] {
  const found: Span[] = [];
  const inside = (s: Span) => s.start <= offset && offset <= s.end;
  const visitExpression = (e: Expression) => {
    if (!inside(e.span)) return;
    found.push(e.span);
    if (e.kind === 'unary') visitExpression(e.operand);
    else if (e.kind === 'binary') [e.left, e.right].forEach(visitExpression);
    else if (e.kind === 'list') e.items.forEach(visitExpression);
    else if (e.kind === 'paren') visitExpression(e.inner);
    else if (e.kind === 'index') [e.target, e.index].forEach(visitExpression);
    else if (e.kind === 'conditional') [e.then, e.condition, e.otherwise].forEach(visitExpression);
    else if (e.kind === 'call') e.args.forEach((a) => visitExpression(a.value));
  };
  const visitStatement = (s: Statement) => {
    if (!inside(s.span)) return;
    found.push(s.span);
    if (s.kind === 'call') {
      for (const id of [s.name, s.callee]) if (id && inside(id.span)) found.push(id.span);
      if (s.argList && inside(s.argList.span)) found.push(s.argList.span);
      for (const a of [...(s.argList?.args ?? []), ...s.stageArgs]) {
        if (!inside(a.span)) continue;
        found.push(a.span);
        if (a.name && inside(a.name.span)) found.push(a.name.span);
        visitExpression(a.value);
      }
    } else if (s.kind === 'let' || s.kind === 'expansion') {
      if (s.kind === 'let' && inside(s.name.span)) found.push(s.name.span);
      visitExpression(s.value);
    } else if (s.kind === 'require') visitExpression(s.condition);
    else if (s.kind === 'preprocess') {
      if (s.body && inside(s.body)) found.push(s.body);
      s.steps?.forEach(visitStatement);
    }
  };
  found.push(analysis.tree.span);
  for (const d of analysis.tree.declarations) {
    if (!inside(d.span)) continue;
    found.push(d.span);
    if (inside(d.name.span)) found.push(d.name.span);
    if (d.kind === 'block') for (const p of d.parameters) if (inside(p.span)) found.push(p.span);
    if (inside(d.body.span)) found.push(d.body.span);
    d.body.statements.forEach(visitStatement);
  }
  const sorted = found.sort((a, b) => a.end - a.start - (b.end - b.start));
  return sorted.filter((s, i) => i === 0 || s.end - s.start > sorted[i - 1].end - sorted[i - 1].start);
}
