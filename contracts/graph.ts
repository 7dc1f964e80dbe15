// The `resnet/graph` request: the preview asks the language server for the diagram data of one
// network in an open document. Declared once, imported by the server and the VS Code client.
// Places are spans (UTF-16 offsets into the document the graph was built from): the webview compares
// them with the cursor's offset and hands them back; the host turns them into editor positions.

import { RequestType } from 'vscode-languageserver-protocol';
import type { Graph, GraphDiagnostic } from '../language/core/graph';
import type { Span } from '../language/core/syntax';

export interface GraphParams {
  textDocument: { uri: string };
  /** The network to draw; the file's first when absent or unknown. */
  network?: string;
}

export interface GraphNetworkEntry {
  name: string;
  range: Span;
}

export interface GraphProblem extends GraphDiagnostic {
  /** One-based line of its start, to show beside it. */
  line: number;
}

export interface GraphResult {
  uri: string;
  /** The document version the graph was built from. */
  version: number;
  networks: GraphNetworkEntry[];
  /** Undefined when the file has no network. */
  graph?: Graph;
  /**
   * True while the file has syntax or name errors: the graph may have lost whole layers, so the
   * preview keeps its last good diagram and shows these problems instead.
   */
  broken: boolean;
  /** The file's errors and warnings, for the preview's header. */
  problems: GraphProblem[];
}

export const graphRequest = new RequestType<GraphParams, GraphResult | null, void>('resnet/graph');
