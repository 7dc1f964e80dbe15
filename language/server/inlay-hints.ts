// Inlay hints: the output shape at the end of each layer line. Inside a block definition the line
// stands for every instance, so it shows each distinct shape (up to three). The `resnetStudio.inlayHints.enabled`
// setting turns them off.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import { formatShape } from '../core/format';
import { toInlayHint } from './convert';
import type { Documents } from './documents';
import type { SettingsSource } from './settings';

export function registerInlayHints(connection: Connection, documents: Documents, settings: SettingsSource): void {
  connection.languages.inlayHint.on(async (params, token) => {
    if (!(await settings.get(params.textDocument.uri)).inlayHints.enabled) return [];
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed || token.isCancellationRequested) return [];
    const { analysis } = analysed;
    const from = params.range.start.line;
    const to = params.range.end.line;
    const lineOf = (offset: number) => analysis.lines.position(offset).line;
    return shapeHints(analysis)
      .filter((h) => lineOf(h.offset) >= from && lineOf(h.offset) <= to)
      .map((h) => toInlayHint(h.offset, h.label, h.tooltip, analysis.lines));
  });
}

export function shapeHints(analysis: Analysis): { offset: number; label: string; tooltip: string }[] {
  const hints: { offset: number; label: string; tooltip: string }[] = [];
  for (const declaration of analysis.tree.declarations) {
    for (const statement of declaration.body.statements) {
      if (statement.kind !== 'call' && statement.kind !== 'add') continue;
      // An unknown shape (after an error) gets no hint: the diagnostic says why.
      const shapes = [...new Set(analysis.sourceMap.nodesOf('file', statement.span).flatMap((i) => (i.node.outputShape ? [formatShape(i.node.outputShape)] : [])))];
      if (shapes.length === 0) continue;
      const label = '→ ' + shapes.slice(0, 3).join(' | ') + (shapes.length > 3 ? ' | …' : '');
      hints.push({ offset: statement.span.end, label, tooltip: shapes.length > 1 ? 'output shape of each instance of this block' : 'output shape' });
    }
  }
  return hints;
}
