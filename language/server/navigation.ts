// Go to definition, find references, highlights and rename for blocks, block parameters and
// constants (and rename for layer and network names). A prelude block or parameter is read-only:
// definition opens the prelude, rename refuses with a reason.

import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import type { TextEdit } from '../core/model';
import { reservedWords } from '../core/keywords';
import { isIdentifier, nameSymbols, symbolAt, type NameSymbol } from '../core/symbols';
import { isLayerOp } from '../core/ops';
import { toLocation, toRenameEdit } from './convert';
import type { Documents } from './documents';

const symbolCache = new WeakMap<Analysis, NameSymbol[]>();
export function symbolsOf(analysis: Analysis): NameSymbol[] {
  let symbols = symbolCache.get(analysis);
  if (!symbols) symbolCache.set(analysis, (symbols = nameSymbols(analysis)));
  return symbols;
}

export function registerNavigation(connection: Connection, documents: Documents): void {
  const lookup = (uri: string, position: { line: number; character: number }) => {
    const analysed = documents.analysed(uri);
    if (!analysed) return undefined;
    const { analysis } = analysed;
    const symbol = symbolAt(symbolsOf(analysis), analysis.lines.offset(position));
    return symbol && { analysis, symbol };
  };

  const declarationOf = (symbol: NameSymbol, analysis: Analysis, uri: string) => toLocation({ source: symbol.source, span: symbol.declaration }, uri, analysis.lines);

  connection.onDefinition((params) => {
    const found = lookup(params.textDocument.uri, params.position);
    return found ? declarationOf(found.symbol, found.analysis, params.textDocument.uri) : null;
  });

  connection.onReferences((params) => {
    const found = lookup(params.textDocument.uri, params.position);
    if (!found) return [];
    const { analysis, symbol } = found;
    const uri = params.textDocument.uri;
    return [...(params.context.includeDeclaration ? [declarationOf(symbol, analysis, uri)] : []), ...symbol.references.map((span) => toLocation({ source: 'file', span }, uri, analysis.lines))];
  });

  connection.onDocumentHighlight((params) => {
    const found = lookup(params.textDocument.uri, params.position);
    if (!found) return [];
    const { analysis, symbol } = found;
    return [...(symbol.source === 'file' ? [symbol.declaration] : []), ...symbol.references].map((s) => ({ range: analysis.lines.range(s) }));
  });

  connection.onPrepareRename((params) => {
    const found = lookup(params.textDocument.uri, params.position);
    if (!found) return null;
    const refusal = renameRefusal(found.symbol);
    if (refusal) throw new ResponseError(LSPErrorCodes.RequestFailed, refusal);
    const offset = found.analysis.lines.offset(params.position);
    const span = [found.symbol.declaration, ...found.symbol.references].find((s) => s.start <= offset && offset <= s.end)!;
    return found.analysis.lines.range(span);
  });

  connection.onRenameRequest((params) => {
    const found = lookup(params.textDocument.uri, params.position);
    if (!found) return null;
    const refusal = renameRefusal(found.symbol) ?? newNameProblem(params.newName, found.symbol);
    if (refusal) throw new ResponseError(LSPErrorCodes.RequestFailed, refusal);
    return toRenameEdit(params.textDocument.uri, renameEdits(found.symbol, params.newName), found.analysis.lines);
  });
}

function renameRefusal(symbol: NameSymbol): string | undefined {
  if (symbol.source === 'prelude') return `'${symbol.name}' belongs to the read-only prelude: define a block of your own to change it.`;
  return undefined;
}

function newNameProblem(name: string, symbol: NameSymbol): string | undefined {
  if (!isIdentifier(name)) return `'${name}' is not a name: use letters, digits and '_', not starting with a digit.`;
  if (reservedWords.has(name)) return `'${name}' is a keyword of the language.`;
  if (symbol.kind === 'block' && isLayerOp(name)) return `'${name}' is a layer type.`;
  return undefined;
}

export function renameEdits(symbol: NameSymbol, newName: string): TextEdit[] {
  return [symbol.declaration, ...symbol.references].map((span) => ({ span, newText: newName }));
}
