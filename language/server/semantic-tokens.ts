// Semantic tokens: what the grammar cannot know — which names are layer types, blocks, parameters,
// constants, a block's named values, layer names and shortcut kinds.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import { shortcutKinds } from '../core/keywords';
import { isLayerOp } from '../core/ops';
import type { Span } from '../core/syntax';
import type { Documents } from './documents';
import { symbolsOf } from './navigation';

export const tokenTypes = ['function', 'class', 'parameter', 'variable', 'property', 'enumMember', 'keyword', 'namespace'] as const;
export const tokenModifiers = ['declaration', 'readonly', 'defaultLibrary'] as const;
type TokenType = (typeof tokenTypes)[number];
type TokenModifier = (typeof tokenModifiers)[number];

export function registerSemanticTokens(connection: Connection, documents: Documents): void {
  connection.languages.semanticTokens.on((params) => {
    const analysed = documents.analysed(params.textDocument.uri);
    return { data: analysed ? encode(classify(analysed.analysis), analysed.analysis) : [] };
  });
}

interface Classified {
  span: Span;
  type: TokenType;
  modifiers: TokenModifier[];
}

function classify(a: Analysis): Classified[] {
  const found: Classified[] = [];
  const kindType = { block: 'class', parameter: 'parameter', constant: 'variable', value: 'variable', layer: 'property', network: 'namespace' } as const;
  for (const symbol of symbolsOf(a)) {
    const type = kindType[symbol.kind];
    const modifiers: TokenModifier[] = symbol.kind === 'constant' ? ['readonly'] : [];
    if (symbol.source === 'file') found.push({ span: symbol.declaration, type, modifiers: [...modifiers, 'declaration'] });
    for (const span of symbol.references) found.push({ span, type, modifiers: symbol.source === 'prelude' ? [...modifiers, 'defaultLibrary'] : modifiers });
  }
  for (const d of a.tree.declarations) {
    for (const s of d.body.statements) {
      if (s.kind === 'call' && isLayerOp(s.callee.text)) found.push({ span: s.callee.span, type: 'function', modifiers: ['defaultLibrary'] });
      if (s.kind === 'add' && s.shortcut.kind === 'identifier' && (shortcutKinds as readonly string[]).includes(s.shortcut.text)) found.push({ span: s.shortcut.span, type: 'enumMember', modifiers: [] });
    }
  }
  return found.sort((x, y) => x.span.start - y.span.start);
}

/** LSP's relative encoding: line delta, start delta, length, type, modifier bits. Tokens never span lines. */
function encode(tokens: Classified[], a: Analysis): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  let lastStart = -1;
  for (const t of tokens) {
    if (t.span.start === lastStart) continue;
    lastStart = t.span.start;
    const p = a.lines.position(t.span.start);
    data.push(p.line - line, p.line === line ? p.character - character : p.character, t.span.end - t.span.start, tokenTypes.indexOf(t.type), t.modifiers.reduce((bits, m) => bits | (1 << tokenModifiers.indexOf(m)), 0));
    line = p.line;
    character = p.character;
  }
  return data;
}
