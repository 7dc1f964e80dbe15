// Diagnostics as the user types. A change schedules one analysis of the document's newest version;
// changes that arrive before it runs are folded into it, so a burst of edits costs one analysis, not
// one each, and a document closed in the meantime is simply skipped.

import { statSync, accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { maxAnalysedLength, referencedFileDiagnostics, tooLargeDiagnostic, type FileState } from '../core/file-checks';
import { toDiagnostic } from './convert';
import type { Documents } from './documents';

export function registerDiagnostics(connection: Connection, documents: Documents): void {
  const pending = new Set<string>();
  const publish = (uri: string) => {
    pending.delete(uri);
    const document = documents.open.get(uri);
    if (!document) return;
    const length = document.getText().length;
    const analysed = length > maxAnalysedLength ? undefined : documents.analysed(uri);
    const states = fileStates(uri);
    const diagnostics = analysed
      ? [...analysed.analysis.diagnostics, ...(states ? referencedFileDiagnostics(analysed.analysis, states) : [])]
      : [tooLargeDiagnostic(length)];
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics: diagnostics.map((d) => toDiagnostic(d, uri)) });
  };
  documents.open.onDidChangeContent((e) => {
    const uri = e.document.uri;
    if (pending.has(uri)) return;
    pending.add(uri);
    setImmediate(() => publish(uri));
  });
  documents.open.onDidClose((e) => {
    pending.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
}

/** Paths resolve against the document's folder; an unsaved document has none, so its paths go unchecked. */
function fileStates(uri: string): ((path: string) => FileState) | undefined {
  if (!uri.startsWith('file:')) return undefined;
  const folder = dirname(fileURLToPath(uri));
  return (path) => {
    const full = resolve(folder, path);
    try {
      if (statSync(full).isDirectory()) return 'directory';
      accessSync(full, constants.R_OK);
      return 'readable';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'missing' : 'unreadable';
    }
  };
}
