// Names that refer to each other in a file: blocks (declared in the file or the prelude, referenced by
// calls), block parameters (referenced in the body and by keyword arguments at call sites), block
// constants, and a block's named values: a named layer, block or stage (its output, read by name in
// `cat(input, conv2)` or applied again as `mlp(x)`) and `name = expression` of values. Network
// and layer names in a network are declarations only: nothing refers to them by name.
// Go to definition, find references, highlights and rename all read this index.

import type { Analysis } from './analysis';
import { isTensorExpression } from './dataflow';
import type { SourceId } from './model';
import { calleesIn, namesIn, type Argument, type BlockDeclaration, type CallStatement, type Declaration, type Expression, type Identifier, type Span, type Statement } from './syntax';

export type SymbolKind = 'block' | 'parameter' | 'constant' | 'value' | 'layer' | 'network';

/** A name a block statement defines: a tensor value (`conv2 conv(…)`, `out = cat(…)`) or a constant (`width = planes * 2`). */
export interface Binding {
  name: Identifier;
  kind: 'value' | 'constant';
  statement: Statement;
}

/** The names a block's statements define, in order (`input`, the block's input, is defined before them all). */
export function blockBindings(declaration: BlockDeclaration): Binding[] {
  const values = new Map<string, true>([['input', true]]);
  const bindings: Binding[] = [];
  for (const s of declaration.body.statements) {
    if (s.kind === 'call' && s.name && !declaration.sequential) {
      values.set(s.name.text, true);
      bindings.push({ name: s.name, kind: 'value', statement: s });
    } else if (s.kind === 'let') {
      const kind = isTensorExpression(s.value, values) ? 'value' : 'constant';
      if (kind === 'value') values.set(s.name.text, true);
      else values.delete(s.name.text);
      bindings.push({ name: s.name, kind, statement: s });
    }
  }
  return bindings;
}

export interface NameSymbol {
  kind: SymbolKind;
  name: string;
  /** Where it is declared: the file or the (read-only) prelude. */
  source: SourceId;
  declaration: Span;
  /** Uses in the file (never in the prelude). */
  references: Span[];
}

export function nameSymbols(analysis: Analysis): NameSymbol[] {
  const symbols: NameSymbol[] = [];
  const blockSymbols = new Map<string, NameSymbol>();
  const parameterSymbols = new Map<BlockDeclaration, Map<string, NameSymbol>>();
  for (const [name, entry] of analysis.blocks) {
    if (entry.declaration.name.kind !== 'identifier') continue;
    const symbol: NameSymbol = { kind: 'block', name, source: entry.source, declaration: entry.declaration.name.span, references: [] };
    blockSymbols.set(name, symbol);
    symbols.push(symbol);
    const parameters = new Map<string, NameSymbol>();
    for (const p of entry.declaration.parameters) {
      if (parameters.has(p.name.text)) continue;
      const parameter: NameSymbol = { kind: 'parameter', name: p.name.text, source: entry.source, declaration: p.name.span, references: [] };
      parameters.set(p.name.text, parameter);
      symbols.push(parameter);
    }
    parameterSymbols.set(entry.declaration, parameters);
  }

  for (const declaration of analysis.tree.declarations) {
    if (declaration.name.kind === 'identifier' && declaration.kind === 'network') {
      symbols.push({ kind: 'network', name: declaration.name.text, source: 'file', declaration: declaration.name.span, references: [] });
    }
    const own = declaration.kind === 'block' ? parameterSymbols.get(declaration) : undefined;
    const scope = new Map<string, NameSymbol>(own);
    const refer = (e: Expression | undefined) => {
      for (const name of namesIn(e)) scope.get(name.text)?.references.push(name.span);
      // A named module applied again: `mlp(pooled)`.
      for (const callee of calleesIn(e)) {
        const module = scope.get(callee.text);
        if (module?.kind === 'value' || module?.kind === 'layer') module.references.push(callee.span);
      }
    };
    const bindings = new Map((declaration.kind === 'block' ? blockBindings(declaration) : []).map((b) => [b.statement, b]));
    if (declaration.kind === 'block') for (const p of declaration.parameters) refer(p.default);
    for (const s of statementsOf(declaration)) {
      switch (s.kind) {
        case 'let': {
          refer(s.value);
          const kind = bindings.get(s)?.kind ?? 'constant';
          const existing = scope.get(s.name.text);
          if (kind === 'constant' && existing?.kind === 'constant') existing.references.push(s.name.span);
          else {
            const symbol: NameSymbol = { kind, name: s.name.text, source: 'file', declaration: s.name.span, references: [] };
            scope.set(s.name.text, symbol);
            symbols.push(symbol);
          }
          break;
        }
        case 'call': {
          const block = blockSymbols.get(s.callee.text);
          block?.references.push(s.callee.span);
          const parameters = block && parameterSymbols.get(analysis.blocks.get(s.callee.text)!.declaration);
          for (const a of argumentsOf(s)) {
            refer(a.value);
            if (a.name && parameters) parameters.get(a.name.text)?.references.push(a.name.span);
          }
          if (s.name) {
            const layer: NameSymbol = { kind: 'layer', name: s.name.text, source: 'file', declaration: s.name.span, references: [] };
            symbols.push(layer);
            if (bindings.has(s)) scope.set(s.name.text, layer);
          }
          break;
        }
        case 'expansion':
          refer(s.value);
          break;
        case 'require':
          refer(s.condition);
          break;
      }
    }
  }
  return symbols;
}

/** The symbol declared or referenced at an offset of the file. */
export function symbolAt(symbols: NameSymbol[], offset: number): NameSymbol | undefined {
  const inside = (span: Span) => span.start <= offset && offset <= span.end;
  return symbols.find((s) => (s.source === 'file' && inside(s.declaration)) || s.references.some(inside));
}

export const isIdentifier = (text: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(text);

function statementsOf(declaration: Declaration): Statement[] {
  return declaration.body.statements.flatMap<Statement>((s) => (s.kind === 'preprocess' ? [s, ...(s.steps ?? [])] : [s]));
}

function argumentsOf(s: CallStatement): Argument[] {
  return [...(s.argList?.args ?? []), ...s.stageArgs];
}
