// Where the preview gets its graph: the language server's `resnet/graph` request, or (where no
// client runs, e.g. before the server starts) the same answer computed in the extension host.

import type { TextDocument } from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { analyze } from '../language/core/analysis';
import { graphResult } from '../language/server/graph';
import { graphRequest, type GraphResult } from '../contracts/graph';

export interface GraphSource {
  graph(document: TextDocument, network?: string): Promise<GraphResult | null>;
}

export function languageServerGraphs(client: () => BaseLanguageClient | undefined, fallback: GraphSource = localGraphs()): GraphSource {
  return {
    async graph(document, network) {
      const running = client();
      if (!running?.isRunning()) return fallback.graph(document, network);
      const answer = await running.sendRequest(graphRequest, { textDocument: { uri: document.uri.toString() }, network });
      // The server answers null for a document it does not hold (closed, or not sent to it yet).
      return answer ?? (document.isClosed ? fallback.graph(document, network) : null);
    },
  };
}

export function localGraphs(): GraphSource {
  return {
    async graph(document, network) {
      return graphResult(analyze(document.getText()), document.uri.toString(), document.version, network);
    },
  };
}
