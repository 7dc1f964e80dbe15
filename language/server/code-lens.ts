// A CodeLens above each network: its totals, then the actions later features provide (the client
// shows an action only while its command is registered).

import type { Connection } from 'vscode-languageserver/node';
import { formatCount, formatDims, formatShape, macsText } from '../core/format';
import { toCodeLens } from './convert';
import type { Documents } from './documents';
import { commands } from '../../contracts/server';

export function registerCodeLens(connection: Connection, documents: Documents): void {
  connection.onCodeLens((params, token) => {
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed || token.isCancellationRequested) return [];
    const uri = params.textDocument.uri;
    const { lines } = analysed.analysis;
    return analysed.analysis.networks.flatMap((network) => {
      const summary = `${formatCount(network.params)} params · ${macsText(network.macs)} · ${network.input ? formatDims(network.input) : '?'} → ${formatShape(network.outputShape)}`;
      return [
        toCodeLens(network.nameRange, summary, '', [], lines),
        toCodeLens(network.nameRange, 'Preview', commands.openPreview, [uri, network.name], lines),
        toCodeLens(network.nameRange, '▶ Run inference', commands.runInference, [uri, network.name], lines),
        toCodeLens(network.nameRange, 'Train…', commands.train, [uri, network.name], lines),
      ];
    });
  });
}
