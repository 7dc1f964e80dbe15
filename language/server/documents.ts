// Open documents and their analyses. An analysis is made on demand for the newest version of a
// document and kept until the next change, so diagnostics, hovers and completions of one version
// share it. Files beyond the size limit are not analysed (every feature then answers nothing).

import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from '../core/analysis';
import { maxAnalysedLength } from '../core/file-checks';

export interface Analysed {
  document: TextDocument;
  analysis: Analysis;
}

export class Documents {
  readonly open = new TextDocuments(TextDocument);
  private readonly cache = new Map<string, { version: number; analysis: Analysis }>();

  constructor() {
    this.open.onDidClose((e) => this.cache.delete(e.document.uri));
  }

  /** The newest version's analysis; undefined for a closed or oversized document. */
  analysed(uri: string): Analysed | undefined {
    const document = this.open.get(uri);
    if (!document) return undefined;
    const cached = this.cache.get(uri);
    if (cached?.version === document.version) return { document, analysis: cached.analysis };
    const text = document.getText();
    if (text.length > maxAnalysedLength) return undefined;
    const analysis = analyze(text);
    this.cache.set(uri, { version: document.version, analysis });
    return { document, analysis };
  }
}
