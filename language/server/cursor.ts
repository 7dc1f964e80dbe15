// Where the cursor is, in the terms completion and signature help need: at the start of a statement,
// after a layer name, after `+`, inside the arguments of a call (and which one), and so on. Read from
// the tokens, so it works on the half-written line being typed.

import { declarationKeywords, statementKeywords } from '../core/keywords';
import type { Analysis } from '../core/analysis';
import type { Token } from '../core/lexer';
import { contains, declarationAt } from '../core/locate';
import type { Declaration } from '../core/syntax';

export type Cursor =
  | { kind: 'none' }
  | { kind: 'top' }
  | { kind: 'statement'; declaration: Declaration }
  | { kind: 'callee'; declaration: Declaration }
  | { kind: 'shortcut' }
  | { kind: 'preset' }
  | { kind: 'preprocessStep' }
  /** After `name =` inside a block: an expression of values and constants. */
  | { kind: 'expression'; declaration: Declaration }
  | { kind: 'argument'; declaration: Declaration; callee: string; given: string[]; positional: number; index: number; keyword?: string; valueOf?: string; atStart: boolean }
  | { kind: 'stageArgument'; declaration: Declaration; callee: string; given: string[] };

export function cursorAt(analysis: Analysis, offset: number): { cursor: Cursor; wordStart: number } {
  const tokens = analysis.tokens;
  const at = tokens.find((t) => t.span.start < offset && offset <= t.span.end && t.kind !== 'newline' && t.kind !== 'end');
  if (at && (at.kind === 'comment' || (at.kind === 'string' && (offset < at.span.end || at.unterminated)))) return { cursor: { kind: 'none' }, wordStart: offset };
  const wordStart = at?.kind === 'identifier' ? at.span.start : offset;
  const before = tokens.filter((t) => t.span.end <= wordStart && t.kind !== 'comment' && t.kind !== 'end');

  const declaration = declarationAt(analysis, wordStart);
  if (!declaration || wordStart <= declaration.body.span.start) return { cursor: declaration ? { kind: 'none' } : { kind: 'top' }, wordStart };

  // Back to the unmatched '(' of an argument list, or to the start of the statement.
  let depth = 0;
  let i = before.length - 1;
  for (; i >= 0; i--) {
    const t = before[i];
    if (t.text === ')' || t.text === ']') depth++;
    else if (t.text === '(' || t.text === '[') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (t.kind === 'newline' || t.text === '{' || t.text === '}' || t.text === ';')) break;
  }
  const open = before[i];
  if (open?.text === '(') {
    const callee = before[i - 1];
    if (callee?.kind !== 'identifier' || before[i - 2]?.text === 'block' || before[i - 2]?.text === 'sequential') return { cursor: { kind: 'none' }, wordStart };
    return { cursor: argumentCursor(declaration, callee.text, before.slice(i + 1)), wordStart };
  }
  if (open?.text === '[') return { cursor: { kind: 'none' }, wordStart };

  const line = before.slice(i + 1);
  if (line.length === 0) {
    const inPreprocess = declaration.body.statements.some((s) => s.kind === 'preprocess' && s.body && contains(s.body, wordStart) && wordStart > s.body.start);
    return { cursor: inPreprocess ? { kind: 'preprocessStep' } : { kind: 'statement', declaration }, wordStart };
  }
  const [first, second] = line;
  if (line.length === 1 && first.text === '+') return { cursor: { kind: 'shortcut' }, wordStart };
  if (line.length === 1 && first.text === 'preprocess') return { cursor: { kind: 'preset' }, wordStart };
  if (line.length === 1 && first.kind === 'identifier' && !keywordStatements.has(first.text)) return { cursor: { kind: 'callee', declaration }, wordStart };
  if (declaration.kind === 'block' && first.kind === 'identifier' && second?.text === '=') return { cursor: { kind: 'expression', declaration }, wordStart };
  if (first.kind === 'identifier' && second?.kind === 'identifier' && line.some((t) => /^x\d+$/.test(t.text))) {
    const given = line.filter((t, k) => t.kind === 'identifier' && line[k + 1]?.text === '=').map((t) => t.text);
    return { cursor: { kind: 'stageArgument', declaration, callee: second.text, given }, wordStart };
  }
  return { cursor: { kind: 'none' }, wordStart };
}

const keywordStatements = new Set([...statementKeywords, ...declarationKeywords]);

function argumentCursor(declaration: Declaration, callee: string, inside: Token[]): Cursor {
  let depth = 0;
  let index = 0;
  let argumentStart = 0;
  let positional = 0;
  const given: string[] = [];
  inside.forEach((t, k) => {
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0 && t.text === ',') {
      if (inside[argumentStart + 1]?.text !== '=') positional++;
      index++;
      argumentStart = k + 1;
    } else if (depth === 0 && t.text === '=' && inside[k - 1]?.kind === 'identifier') given.push(inside[k - 1].text);
  });
  const current = inside.slice(argumentStart).filter((t) => t.kind !== 'newline');
  const keyword = current[1]?.text === '=' && current[0].kind === 'identifier' ? current[0].text : undefined;
  const valueOf = keyword && current.length === 2 ? keyword : undefined;
  return { kind: 'argument', declaration, callee, given, positional, index, keyword, valueOf, atStart: current.length === 0 };
}
