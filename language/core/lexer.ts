// Splits text into tokens. Never fails: every character ends up in some token (lossless), and a
// problem (a bad character, an unterminated string) becomes a token flagged with its diagnostic.

import type { Span } from './syntax';

export type TokenKind =
  | 'identifier'
  | 'number'
  | 'dims'
  | 'string'
  | 'punctuation'
  | 'newline'
  | 'comment'
  | 'whitespace'
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

const punctuation = ['//', '==', '!=', '<=', '>=', '(', ')', '{', '}', '[', ']', ',', '=', '+', '-', '*', '/', '%', '<', '>', ';'];

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, value?: string, unterminated?: boolean) => {
    const token: Token = { kind, text: text.slice(start, i), span: { start, end: i } };
    if (value !== undefined) token.value = value;
    if (unterminated) token.unterminated = true;
    tokens.push(token);
  };

  while (i < text.length) {
    const start = i;
    const c = text[i];
    if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      push('newline', start);
    } else if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\uFEFF') {
      while (i < text.length && ' \t\f\v\uFEFF'.includes(text[i])) i++;
      push('whitespace', start);
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      push('comment', start);
    } else if (isIdentStart(c)) {
      while (i < text.length && isIdentPart(text[i])) i++;
      push('identifier', start);
    } else if (isDigit(c)) {
      i = scanNumber(text, i);
      if (text[i] === 'x' && isDigit(text[i + 1] ?? '')) {
        while (text[i] === 'x' && isDigit(text[i + 1] ?? '')) {
          i++;
          while (i < text.length && isDigit(text[i])) i++;
        }
        push('dims', start);
      } else {
        push('number', start);
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
      push('string', start, value, !terminated);
    } else {
      const p = punctuation.find((p) => text.startsWith(p, i));
      if (p) {
        i += p.length;
        push('punctuation', start);
      } else {
        // One code point (a surrogate pair stays together).
        const code = text.codePointAt(i) ?? 0;
        i += code > 0xffff ? 2 : 1;
        push('invalid', start);
      }
    }
  }
  tokens.push({ kind: 'end', text: '', span: { start: text.length, end: text.length } });
  return tokens;
}

function scanNumber(text: string, i: number): number {
  while (i < text.length && isDigit(text[i])) i++;
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
