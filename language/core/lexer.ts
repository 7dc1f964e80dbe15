// Splits text into tokens. Never fails: every character but spaces and tabs ends up in some token, so
// the tokens and the gaps between them are the whole text (lossless); a problem (a bad character, an
// unterminated string) becomes a token flagged with its diagnostic. Spaces make no tokens: nothing
// reads them, and a large file has hundreds of thousands.

import type { Span } from './syntax';

export type TokenKind =
  | 'identifier'
  | 'number'
  | 'dims'
  | 'string'
  | 'punctuation'
  | 'newline'
  | 'comment'
  | 'invalid'
  | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  span: Span;
  /** For strings: the unescaped value. */
  value?: string;
  /** Set on a string that runs to the end of the line. */
  unterminated?: boolean;
}

const twoCharPunctuation = new Set(['//', '==', '!=', '<=', '>=']);
const twoCharStarts = new Set([...twoCharPunctuation].map((p) => p[0]));
const oneCharPunctuation = new Set(['(', ')', '{', '}', '[', ']', ',', '=', '+', '-', '*', '/', '%', '<', '>', ';']);

// Character classes by code unit, so the hot loops compare numbers rather than strings.
const DIGIT = 1;
const IDENT_START = 2;
const SPACE = 4;
const classes = new Uint8Array(128);
for (let c = 48; c <= 57; c++) classes[c] = DIGIT;
for (let c = 65; c <= 90; c++) classes[c] = IDENT_START;
for (let c = 97; c <= 122; c++) classes[c] = IDENT_START;
classes[95] = IDENT_START;
for (const c of [32, 9, 12, 11]) classes[c] = SPACE;
const is = (text: string, i: number, kind: number) => {
  const c = text.charCodeAt(i);
  return c < 128 ? (classes[c] & kind) !== 0 : kind === SPACE && c === 0xfeff;
};
const isDigit = (c: string) => c >= '0' && c <= '9';

/** Every token of `text`, the last one `end`. */
export function tokenize(text: string): Token[] {
  const lexer = new Lexer(text);
  const tokens: Token[] = [];
  for (let t = lexer.next(); ; t = lexer.next()) {
    tokens.push(t);
    if (t.kind === 'end') return tokens;
  }
}

/**
 * Tokens one at a time, for the parser: it holds only the few it is looking at, so a large file's
 * tokens die young instead of living (and being copied by the garbage collector) through the parse.
 */
export class Lexer {
  private i = 0;

  constructor(private readonly text: string) {}

  /** The next token; `end` at the end of the text, and again after it. */
  next(): Token {
    const text = this.text;
    let i = this.i;
    while (i < text.length && is(text, i, SPACE)) i++;
    const start = i;
    if (i >= text.length) {
      this.i = i;
      return { kind: 'end', text: '', span: { start: text.length, end: text.length } };
    }
    const c = text[i];
    let kind: TokenKind;
    let tokenText: string | undefined;
    if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      kind = 'newline';
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      kind = 'comment';
    } else if (is(text, i, IDENT_START)) {
      // A dotted name (`convs.0`, `features.conv0`) is one identifier: a module path as PyTorch writes it.
      while (i < text.length && (is(text, i, IDENT_START | DIGIT) || (text[i] === '.' && is(text, i + 1, IDENT_START | DIGIT)))) i++;
      kind = 'identifier';
    } else if (is(text, i, DIGIT)) {
      i = scanNumber(text, i);
      kind = 'number';
      if (text[i] === 'x' && is(text, i + 1, DIGIT)) {
        while (text[i] === 'x' && is(text, i + 1, DIGIT)) {
          i++;
          while (i < text.length && is(text, i, DIGIT)) i++;
        }
        kind = 'dims';
      }
    } else if (c === '"') {
      i++;
      let value = '';
      let terminated = false;
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') {
        const ch = text[i];
        if (ch === '"') {
          i++;
          terminated = true;
          break;
        }
        if (ch === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
          const next = text[i + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      this.i = i;
      const token: Token = { kind: 'string', text: text.slice(start, i), span: { start, end: i } };
      token.value = value;
      if (!terminated) token.unterminated = true;
      return token;
    } else if (twoCharStarts.has(c) && twoCharPunctuation.has(text.substr(i, 2))) {
      i += 2;
      kind = 'punctuation';
    } else if (oneCharPunctuation.has(c)) {
      i++;
      kind = 'punctuation';
      tokenText = c;
    } else {
      // One code point (a surrogate pair stays together).
      const code = text.codePointAt(i) ?? 0;
      i += code > 0xffff ? 2 : 1;
      kind = 'invalid';
    }
    this.i = i;
    return { kind, text: tokenText ?? text.slice(start, i), span: { start, end: i } };
  }
}

function scanNumber(text: string, i: number): number {
  while (i < text.length && is(text, i, DIGIT)) i++;
  if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
    i++;
    while (i < text.length && isDigit(text[i])) i++;
  }
  if ((text[i] === 'e' || text[i] === 'E') && (isDigit(text[i + 1] ?? '') || ((text[i + 1] === '-' || text[i + 1] === '+') && isDigit(text[i + 2] ?? '')))) {
    i += 2;
    while (i < text.length && isDigit(text[i])) i++;
  }
  return i;
}
