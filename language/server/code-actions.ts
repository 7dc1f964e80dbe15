// Quick fixes: the fixes the core attached to each diagnostic in the requested range, those that verify
// (applied and re-analysed, they remove the error without adding one).

import type { Connection } from 'vscode-languageserver/node';
import { verifiedFixes } from '../core/fix-verification';
import { toQuickFix } from './convert';
import type { Documents } from './documents';

export function registerCodeActions(connection: Connection, documents: Documents, revealsEdits: () => boolean): void {
  connection.onCodeAction((params, token) => {
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed || token.isCancellationRequested) return [];
    const { lines } = analysed.analysis;
    const from = lines.offset(params.range.start);
    const to = lines.offset(params.range.end);
    return analysed.analysis.diagnostics
      .filter((d) => d.fixes.length > 0 && d.span.start <= to && d.span.end >= from)
      .flatMap((d) => {
        const fixes = verifiedFixes(analysed.analysis, d);
        return fixes.map((fix, i) => toQuickFix(fix, d, params.textDocument.uri, lines, i === 0, revealsEdits()));
      });
  });
}
