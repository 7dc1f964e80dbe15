// Answers `resnet/graph` from the document's analysis (shared with diagnostics and hovers).

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import { buildGraph } from '../core/graph';
import type { Documents } from './documents';
import { graphRequest, type GraphParams, type GraphResult } from '../../contracts/graph';

/** Syntax (RS00xx) and name (RS01xx) errors: the model may be missing statements, not just shapes. */
const structuralError = /^RS0[01]/;

export function graphResult(analysis: Analysis, uri: string, version: number, wanted?: string): GraphResult {
  const network = analysis.networks.find((n) => n.name === wanted) ?? analysis.networks[0];
  const problems = analysis.diagnostics
    .filter((d) => d.severity !== 'information')
    .map((d) => ({ code: d.code, severity: d.severity, message: d.message, span: d.span, line: analysis.lines.position(d.span.start).line + 1 }));
  return {
    uri,
    version,
    networks: analysis.networks.map((n) => ({ name: n.name, range: n.range })),
    graph: network ? buildGraph(network, analysis.diagnostics, analysis.text) : undefined,
    broken: !network || analysis.diagnostics.some((d) => d.severity === 'error' && structuralError.test(d.code)),
    problems,
  };
}

export function registerGraphRequest(connection: Connection, documents: Documents): void {
  connection.onRequest(graphRequest, (params: GraphParams) => {
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed) return null;
    return graphResult(analysed.analysis, params.textDocument.uri, analysed.document.version, params.network);
  });
}
