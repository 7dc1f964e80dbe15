// The canonical layout of a .resnet file. Only whitespace changes: two spaces of indentation per
// brace (plus two per open bracket on a continuation line), one space between words and around binary
// operators, none inside brackets or around '=' of a keyword argument, layer names padded so every
// callee of a body starts in one column, runs of trailing comments aligned, at most one blank line,
// one final newline. Idempotent; a result whose tokens differ from the input's is never returned.

import { statementKeywords, wordOperators } from './keywords';
import { tokenize, type Token } from './lexer';


interface Line {
  /** Code tokens, comments excluded. */
  tokens: Token[];
  comment?: Token;
  indent: number;
  /** The body the line sits in (its opening brace's offset), -1 at the top level. */
  body: number;
  /** Width of the layer name to pad, for a line that starts with `name callee`. */
  name?: number;
  /** `weights` and `labels` align their paths with each other. */
  pathKeyword?: number;
  /** Brackets open when the line starts (a continuation line of an argument list). */
  groups: number;
  code: string;
  /** Spaces between the code and a trailing comment. */
  commentGap?: number;
}

export function formatText(text: string): string {
  const tokens = tokenize(text);
  const lines = splitLines(tokens);
  const nameWidth = new Map<number, number>();
  const keywordWidth = new Map<number, number>();
  for (const line of lines) {
    if (line.name !== undefined) nameWidth.set(line.body, Math.max(nameWidth.get(line.body) ?? 0, line.name));
    if (line.pathKeyword !== undefined) keywordWidth.set(line.body, Math.max(keywordWidth.get(line.body) ?? 0, line.pathKeyword));
  }
  for (const line of lines) {
    const pad = line.name !== undefined ? nameWidth.get(line.body) : line.pathKeyword !== undefined ? keywordWidth.get(line.body) : undefined;
    line.code = render(line.tokens, pad, line.groups);
  }
  alignComments(lines);

  const out: string[] = [];
  let blank = 0;
  for (const line of lines) {
    const content = line.code + (line.comment ? (line.code ? ' '.repeat(line.commentGap ?? 2) : '') + line.comment.text.trimEnd() : '');
    if (content === '') {
      blank++;
      continue;
    }
    if (blank > 0 && out.length > 0) out.push('');
    blank = 0;
    out.push(' '.repeat(line.indent) + content);
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const formatted = out.length ? out.join(eol) + eol : '';
  return sameTokens(tokens, tokenize(formatted)) ? formatted : text;
}

function sameTokens(before: Token[], after: Token[]): boolean {
  const significant = (tokens: Token[]) => tokens.filter((t) => t.kind !== 'newline').map((t) => (t.kind === 'comment' ? t.text.trimEnd() : t.text));
  const a = significant(before);
  const b = significant(after);
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** Consecutive lines with code and a trailing comment, at the same indentation, put their comments in one column. */
function alignComments(lines: Line[]): void {
  let run: Line[] = [];
  const flush = () => {
    const width = Math.max(...run.map((l) => l.code.length));
    for (const l of run) l.commentGap = width - l.code.length + 2;
    run = [];
  };
  for (const line of lines) {
    const trailing = line.comment && line.code !== '';
    if (trailing && (run.length === 0 || run[0].indent === line.indent)) run.push(line);
    else {
      if (run.length) flush();
      if (trailing) run.push(line);
    }
  }
  if (run.length) flush();
}

function splitLines(tokens: Token[]): Line[] {
  const lines: Line[] = [];
  const bodies: number[] = [];
  let groups = 0;
  let current: Token[] = [];
  let comment: Token | undefined;
  let startBraces = 0;
  let startGroups = 0;
  let startBody = -1;
  const finish = () => {
    const first = current[0];
    const closesBrace = first?.text === '}' ? 1 : 0;
    const closesGroup = first && (first.text === ')' || first.text === ']') && startGroups > 0 ? 1 : 0;
    const line: Line = { tokens: current, comment, indent: 2 * Math.max(0, startBraces - closesBrace) + 2 * (startGroups - closesGroup), body: startBody, groups: startGroups, code: '' };
    if (startGroups === 0 && startBraces > 0 && current.length >= 2) {
      const [a, b, c] = current;
      if (a.kind === 'identifier' && !statementKeywords.has(a.text) && b.kind === 'identifier' && !wordOperators.has(b.text) && c?.text !== '=') line.name = a.text.length;
      if ((a.text === 'weights' || a.text === 'labels') && b.kind === 'string') line.pathKeyword = a.text.length;
    }
    lines.push(line);
    current = [];
    comment = undefined;
    startBraces = bodies.length;
    startGroups = groups;
    startBody = bodies.at(-1) ?? -1;
  };
  for (const t of tokens) {
    if (t.kind === 'newline' || t.kind === 'end') {
      finish();
      continue;
    }
    if (t.kind === 'comment') {
      comment = t;
      continue;
    }
    current.push(t);
    if (t.text === '{') bodies.push(t.span.start);
    else if (t.text === '}') bodies.pop();
    else if (t.text === '(' || t.text === '[') groups++;
    else if ((t.text === ')' || t.text === ']') && groups > 0) groups--;
  }
  return lines;
}

function render(tokens: Token[], pad: number | undefined, openGroups: number): string {
  let out = '';
  let depth = openGroups;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const previous = tokens[i - 1];
    if (previous) {
      if (i === 1 && pad !== undefined) out += ' '.repeat(Math.max(1, pad - previous.text.length + 1));
      else if (spaceBetween(tokens, i, depth)) out += ' ';
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if ((t.text === ')' || t.text === ']') && depth > 0) depth--;
    out += t.text;
  }
  return out;
}

function isUnary(tokens: Token[], i: number): boolean {
  const t = tokens[i];
  if (t.text !== '-' && t.text !== '+') return false;
  const previous = tokens[i - 1];
  if (!previous) return true;
  if (previous.kind === 'identifier') return wordOperators.has(previous.text) || statementKeywords.has(previous.text);
  return previous.kind === 'punctuation' && previous.text !== ')' && previous.text !== ']';
}

/** `+ shortcut`: the add statement's plus, at the start of a statement. */
function isAddStatement(tokens: Token[], i: number): boolean {
  const previous = tokens[i - 1];
  return tokens[i].text === '+' && (!previous || previous.text === ';' || previous.text === '{');
}

function spaceBetween(tokens: Token[], i: number, depth: number): boolean {
  const a = tokens[i - 1];
  const b = tokens[i];
  if (a.text === '(' || a.text === '[') return false;
  if (b.text === ')' || b.text === ']' || b.text === ',' || b.text === ';') return false;
  if (a.text === ',' || a.text === ';') return true;
  // `denselayer* dense_layer(…)`: the star of a numbered name stays on the name.
  if (b.text === '*' && i === 1 && a.kind === 'identifier' && b.span.start === a.span.end) return false;
  if (b.text === '=' || a.text === '=') {
    // A constant `width = …` keeps spaces; keyword arguments and defaults do not.
    const equals = b.text === '=' ? i : i - 1;
    let start = equals - 1;
    while (start > 0 && tokens[start - 1].text !== ';' && tokens[start - 1].text !== '{') start--;
    return depth === 0 && equals === start + 1;
  }
  if (isAddStatement(tokens, i - 1)) return true;
  if (isUnary(tokens, i - 1)) return false;
  if (b.text === '(' || b.text === '[') return !(a.kind === 'identifier' && !wordOperators.has(a.text) && !statementKeywords.has(a.text)) || a.text === 'not';
  return true;
}
