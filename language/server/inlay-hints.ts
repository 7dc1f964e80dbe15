// Inlay hints: the output shape at the end of each layer line. Inside a block definition the line
// stands for every instance, so it shows each distinct shape, as many whole ones as fit. The `resnetStudio.inlayHints.enabled`
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

/**
 * VS Code cuts a hint longer than `editor.inlayHints.maximumLength` (43 by default) mid-text, and
 * '1×32×128×12…' reads as 12: the label takes whole shapes only, and says how many it leaves out.
 */
const maxLabel = 40;

export function shapeLabel(shapes: string[]): string {
  let label = `→ ${shapes[0]}`;
  for (let i = 1; i < shapes.length; i++) {
    const rest = shapes.length - i - 1;
    const next = `${label} | ${shapes[i]}`;
    if (next.length + (rest > 0 ? ` | +${rest} more`.length : 0) > maxLabel) return `${label} | +${shapes.length - i} more`;
    label = next;
  }
  return label;
}

export function shapeHints(analysis: Analysis): { offset: number; label: string; tooltip: string }[] {
  const hints: { offset: number; label: string; tooltip: string }[] = [];
  for (const declaration of analysis.tree.declarations) {
    for (const statement of declaration.body.statements) {
      if (statement.kind !== 'call' && statement.kind !== 'add') continue;
      // An unknown shape (after an error) gets no hint: the diagnostic says why.
      const shapes = [...new Set(analysis.sourceMap.nodesOf('file', statement.span).flatMap((i) => (i.node.outputShape ? [formatShape(i.node.outputShape)] : [])))];
      if (shapes.length === 0) continue;
      const label = shapeLabel(shapes);
      hints.push({ offset: statement.span.end, label, tooltip: shapes.length > 1 ? 'output shape of each instance of this block' : 'output shape' });
    }
  }
  return hints;
}
