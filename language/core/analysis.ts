// The one entry point of the language core: text in, analysis out. Pure: no I/O, no editor types.

import { problem } from './diagnostics';
import { Elaborator, type BlockEntry } from './elaborate';
import { tokenize, type Token } from './lexer';
import type { Diagnostic, Network, SourceId } from './model';
import { checkDeclaration, checkRecursion } from './names';
import { parse } from './parser';
import { LineMap } from './positions';
import { preludeText } from './prelude';
import { SourceMap } from './source-map';
import type { BlockDeclaration, SourceFile } from './syntax';

export interface Analysis {
  text: string;
  tree: SourceFile;
  /** Made again from the text on the first question (the cursor and folding ask): a large file's hundreds of thousands of tokens are not kept alive through the analysis. */
  readonly tokens: Token[];
  /** For the edges that show lines and columns; everything else in the analysis is in offsets. */
  lines: LineMap;
  networks: Network[];
  diagnostics: Diagnostic[];
  /** Statements ↔ the model nodes they made. */
  sourceMap: SourceMap;
  /** Blocks visible to the file: its own first, then the prelude's it does not hide. */
  blocks: Map<string, BlockEntry>;
}

export interface Prelude {
  tree: SourceFile;
  tokens: Token[];
  lines: LineMap;
  blocks: Map<string, BlockEntry>;
}

let cachedPrelude: Prelude | undefined;

export function prelude(): Prelude {
  if (!cachedPrelude) {
    const { file } = parse(preludeText);
    cachedPrelude = { tree: file, tokens: tokenize(preludeText), lines: new LineMap(preludeText), blocks: blocksOf(file, 'prelude') };
  }
  return cachedPrelude;
}

function blocksOf(file: SourceFile, source: SourceId): Map<string, BlockEntry> {
  const blocks = new Map<string, BlockEntry>();
  for (const d of file.declarations) {
    if (d.kind === 'block' && d.name.kind === 'identifier' && !blocks.has(d.name.text)) blocks.set(d.name.text, { declaration: d, source });
  }
  return blocks;
}

export function analyze(text: string): Analysis {
  const { file, problems } = parse(text);
  const own = blocksOf(file, 'file');
  const blocks = new Map(own);
  for (const [name, entry] of prelude().blocks) if (!blocks.has(name)) blocks.set(name, entry);
  const lookupDeclaration = (name: string): BlockDeclaration | undefined => blocks.get(name)?.declaration;
  const blockNames = () => [...blocks.keys()];

  const seen = new Map<string, { kind: string; span: { start: number; end: number } }>();
  for (const d of file.declarations) {
    if (d.name.kind !== 'identifier') continue;
    const first = seen.get(d.name.text);
    if (first) {
      problems.push(problem('duplicateDeclaration', d.name.span, [d.kind, d.name.text], { related: [{ source: 'file', span: first.span, message: 'first declared here' }] }));
    } else seen.set(d.name.text, { kind: d.kind, span: d.name.span });
    problems.push(...checkDeclaration(d, lookupDeclaration, blockNames));
  }
  const ownDeclarations = new Map([...own].map(([name, entry]) => [name, entry.declaration]));
  problems.push(...checkRecursion(ownDeclarations, lookupDeclaration));

  const elaborator = new Elaborator((name) => blocks.get(name), text);
  const networks = file.declarations.filter((d) => d.kind === 'network').map((d) => elaborator.network(d));
  problems.push(...elaborator.problems, ...elaborator.blockSites.diagnostics());

  let tokens: Token[] | undefined;
  return {
    text,
    tree: file,
    get tokens() {
      return (tokens ??= tokenize(text));
    },
    lines: new LineMap(text),
    networks,
    diagnostics: unique(problems),
    sourceMap: new SourceMap(networks),
    blocks,
  };
}

/** Each problem once (a block's problem repeats at every call of it from one statement), in file order. */
function unique(problems: Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, Diagnostic>();
  for (const p of problems) {
    const key = `${p.code}|${p.span.start}|${p.span.end}|${p.message}`;
    if (!seen.has(key)) seen.set(key, p);
  }
  return [...seen.values()].sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
}
