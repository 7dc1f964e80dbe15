// Folding: declaration bodies, preprocess sections, argument lists over several lines, and runs of
// comment lines.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import type { Span } from '../core/syntax';
import { toFoldingRange } from './convert';
import type { Documents } from './documents';

export function registerFolding(connection: Connection, documents: Documents): void {
  connection.onFoldingRanges((params) => {
    const analysed = documents.analysed(params.textDocument.uri);
    return analysed ? foldingRanges(analysed.analysis).map((f) => toFoldingRange(f.start, f.end, f.comment)) : [];
  });
}

export function foldingRanges(analysis: Analysis): { start: number; end: number; comment: boolean }[] {
  const ranges: { start: number; end: number; comment: boolean }[] = [];
  const add = (span: Span, comment = false) => {
    const start = analysis.lines.position(span.start).line;
    // Fold up to the line before the closing brace, so the brace stays visible.
    const end = analysis.lines.position(span.end).line - (comment ? 0 : 1);
    if (end > start) ranges.push({ start, end, comment });
  };
  for (const d of analysis.tree.declarations) {
    add({ start: d.span.start, end: d.body.closed ? d.body.span.end : d.body.span.end + 1 });
    for (const s of d.body.statements) {
      if (s.kind === 'preprocess' && s.body) add(s.body);
      if (s.kind === 'call' && s.argList) add(s.argList.span);
    }
  }
  let run: Span | undefined;
  let lastLine = -2;
  for (const t of analysis.tokens) {
    if (t.kind !== 'comment') continue;
    const { line, character } = analysis.lines.position(t.span.start);
    if (analysis.text.slice(t.span.start - character, t.span.start).trim() !== '') continue;
    if (run && line === lastLine + 1) run.end = t.span.end;
    else {
      if (run) add(run, true);
      run = { ...t.span };
    }
    lastLine = line;
  }
  if (run) add(run, true);
  return ranges;
}
