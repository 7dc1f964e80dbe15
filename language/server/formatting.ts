// Document formatting: the core's canonical layout, sent as one edit over the part that changed.

import type { Connection } from 'vscode-languageserver/node';
import { maxAnalysedLength } from '../core/file-checks';
import { formatText } from '../core/formatter';
import { toTextEdits } from './convert';
import type { Documents } from './documents';
import { LineMap } from '../core/positions';

export function registerFormatting(connection: Connection, documents: Documents): void {
  connection.onDocumentFormatting((params) => {
    const document = documents.open.get(params.textDocument.uri);
    if (!document) return [];
    const text = document.getText();
    if (text.length > maxAnalysedLength) return [];
    const edit = minimalEdit(text, formatText(text));
    return edit ? toTextEdits([edit], new LineMap(text)) : [];
  });
}

/** The shortest single replacement turning `before` into `after`, so the cursor outside it stays put. */
export function minimalEdit(before: string, after: string): { span: { start: number; end: number }; newText: string } | undefined {
  if (before === after) return undefined;
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { span: { start, end: before.length - end }, newText: after.slice(start, after.length - end) };
}
