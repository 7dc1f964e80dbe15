// Diagnostics as the user types. A change schedules one analysis of the document's newest version a
// few milliseconds later; changes that arrive before it runs push it back (up to a bound, so a flood
// of edits still gets diagnostics), so a burst of edits costs one analysis, not one each, and a
// document closed in the meantime is simply skipped.

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { referencedFileDiagnostics, tooLargeDiagnostic, type FileState } from '../core/file-checks';
import { LineMap } from '../core/positions';
import { fileStateIn } from '../../engine/runtime/file-state';
import { toDiagnostic } from './convert';
import type { Documents } from './documents';

/** Quiet time after a change before analysing; the JSON-RPC layer hands over one message per turn, so a burst spans several. */
const settleMs = 3;
/** The longest a change waits while more keep coming. */
const maxWaitMs = 100;

export function registerDiagnostics(connection: Connection, documents: Documents): void {
  const pending = new Map<string, { timer: NodeJS.Timeout; since: number }>();
  const publish = (uri: string) => {
    pending.delete(uri);
    const document = documents.open.get(uri);
    if (!document) return;
    // An open document without an analysis is one over the size limit.
    const analysed = documents.analysed(uri);
    const states = fileStates(uri);
    const diagnostics = analysed
      ? [...analysed.analysis.diagnostics, ...(states ? referencedFileDiagnostics(analysed.analysis, states) : [])]
      : [tooLargeDiagnostic(document.getText().length)];
    const lines = analysed?.analysis.lines ?? new LineMap(document.getText());
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics: diagnostics.map((d) => toDiagnostic(d, uri, lines)) });
  };
  documents.open.onDidChangeContent((e) => {
    const uri = e.document.uri;
    const waiting = pending.get(uri);
    const now = performance.now();
    if (waiting && now - waiting.since > maxWaitMs) return;
    if (waiting) clearTimeout(waiting.timer);
    pending.set(uri, { timer: setTimeout(() => publish(uri), settleMs), since: waiting?.since ?? now });
  });
  documents.open.onDidClose((e) => {
    clearTimeout(pending.get(e.document.uri)?.timer);
    pending.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
}

/** Paths resolve against the document's folder; an unsaved document has none, so its paths go unchecked. */
function fileStates(uri: string): ((path: string) => FileState) | undefined {
  return uri.startsWith('file:') ? fileStateIn(dirname(fileURLToPath(uri))) : undefined;
}
