// Recursive-descent parser. It never throws: it returns a tree (with `missing` nodes where something
// was expected) and the problems it met, recovering at the end of the line or at a closing brace.

import { problem } from './diagnostics';
import { declarationKeywords, statementKeywords } from './keywords';
import { Lexer, type Token } from './lexer';
import type { Diagnostic } from './model';
import type {
  Argument,
  ArgumentList,
  BinaryOperator,
  Body,
  CallStatement,
  Declaration,
  Expression,
  Identifier,
  Missing,
  Parameter,
  SourceFile,
  Span,
  Statement,
} from './syntax';

export const maxNesting = 100;
const maxSyntaxProblems = 200;

export interface ParseResult {
  file: SourceFile;
  problems: Diagnostic[];
}

export function parse(text: string): ParseResult {
  const parser = new Parser(new Lexer(text));
  const file = parser.parseFile(text.length);
  return { file, problems: parser.problems() };
}

const repeatPattern = /^x(\d+)$/;

class Parser {
  /** Bad characters and unterminated strings, first in the problems (as the lexer meets them). */
  private readonly lexical: Diagnostic[] = [];
  private readonly syntax: Diagnostic[] = [];
  /** The tokens from `base` on that the parser has read (comments and bad characters left out); those before `pos - 1` are dropped as it goes. */
  private window: Token[] = [];
  private base = 0;
  private pos = 0;
  /** Inside ( … ) or [ … ] newlines are not statement ends. */
  private groupDepth = 0;
  private expressionDepth = 0;
  private operatorCount = 0;
  private readonly reportedAt = new Set<number>();

  constructor(private readonly lexer: Lexer) {}

  /** The lexical problems, then the syntax problems: at most 2 × maxSyntaxProblems in all. */
  problems(): Diagnostic[] {
    return [...this.lexical, ...this.syntax.slice(0, 2 * maxSyntaxProblems - this.lexical.length)];
  }

  /** The token at index `i` (at least `pos - 1`) of the file's significant tokens. */
  private at(i: number): Token {
    while (i - this.base >= this.window.length) {
      const drop = this.pos - 1 - this.base;
      if (drop >= 1024) {
        this.window = this.window.slice(drop);
        this.base += drop;
      }
      this.window.push(this.read());
    }
    return this.window[i - this.base];
  }

  /** The next token that is not a comment or a bad character; the end again after the end. */
  private read(): Token {
    for (;;) {
      const t = this.lexer.next();
      if (t.kind === 'comment') continue;
      if (t.kind === 'invalid') {
        if (this.lexical.length < maxSyntaxProblems) this.lexical.push(problem('invalidCharacter', t.span, [JSON.stringify(t.text)]));
        continue;
      }
      if (t.kind === 'string' && t.unterminated && this.lexical.length < maxSyntaxProblems) this.lexical.push(problem('unterminatedString', t.span, []));
      return t;
    }
  }

  parseFile(length: number): SourceFile {
    const declarations: Declaration[] = [];
    for (;;) {
      this.skipStatementSeparators();
      const t = this.peek();
      if (t.kind === 'end') break;
      if (this.isWord(t, 'network')) declarations.push(this.parseNetwork());
      else if (this.isWord(t, 'block') || this.isWord(t, 'sequential')) declarations.push(this.parseBlock());
      else {
        this.report('unexpected', t.span, ["'network', 'block' or 'sequential'", describe(t)]);
        const before = this.pos;
        this.skipLine(true);
        if (this.pos === before) this.pos++;
      }
    }
    return { declarations, span: { start: 0, end: length } };
  }

  private parseNetwork(): Declaration {
    const keyword = this.advance().span;
    const name = this.expectIdentifier('a network name');
    const body = this.parseBody('network');
    return { kind: 'network', keyword, name, body, span: { start: keyword.start, end: body.span.end } };
  }

  private parseBlock(): Declaration {
    const sequential = this.peek().text === 'sequential';
    const keyword = this.advance().span;
    const name = this.expectIdentifier('a block name');
    const parameters: Parameter[] = [];
    let parameterSpan: Span | undefined;
    if (this.isPunct(this.peek(), '(')) {
      const open = this.advance().span;
      this.groupDepth++;
      while (!this.isPunct(this.peek(), ')') && this.peek().kind === 'identifier') {
        const id = this.identifier(this.advance());
        let defaultValue: Expression | undefined;
        if (this.isPunct(this.peek(), '=')) {
          this.advance();
          defaultValue = this.parseExpression();
        }
        parameters.push({ name: id, default: defaultValue, span: { start: id.span.start, end: (defaultValue ?? id).span.end } });
        if (!this.isPunct(this.peek(), ',')) break;
        this.advance();
      }
      const close = this.expectPunct(')', "',' or ')'");
      this.groupDepth--;
      parameterSpan = { start: open.start, end: close?.end ?? this.previousEnd() };
    }
    const body = this.parseBody('block');
    return { kind: 'block', keyword, sequential, name, parameters, parameterSpan, body, span: { start: keyword.start, end: body.span.end } };
  }

  private parseBody(what: string): Body {
    const open = this.peek();
    const statements: Statement[] = [];
    const start = open.span.start;
    if (this.isPunct(open, '{')) this.advance();
    else this.report('unexpected', open.span, ["'{'", describe(open)]);
    for (;;) {
      this.skipStatementSeparators();
      const t = this.peek();
      if (this.isPunct(t, '}')) {
        this.advance();
        return { statements, span: { start, end: t.span.end }, closed: true };
      }
      // `block* wrn_block(…) x3` names a stage (block1 … block3); `block` alone starts a declaration.
      const numberedBlock = this.isWord(t, 'block') && this.isPunct(this.peek(1), '*') && this.peek(1).span.start === t.span.end;
      if (t.kind === 'end' || this.isWord(t, 'network') || (this.isWord(t, 'block') && !numberedBlock) || this.isWord(t, 'sequential')) {
        this.report('unclosed', { start, end: Math.max(start + 1, this.previousEnd()) }, [what]);
        return { statements, span: { start, end: this.previousEnd() }, closed: false };
      }
      statements.push(this.parseStatement());
    }
  }

  private parseStatement(): Statement {
    const t = this.peek();
    const next = this.peek(1);
    if (this.isPunct(t, '+')) return this.finish(this.parseAdd());
    if (t.kind !== 'identifier') {
      this.report('unexpected', t.span, ['a layer, a block call or a declaration', describe(t)]);
      return this.errorStatement(t.span.start);
    }
    if (statementKeywords.has(t.text) && !this.isPunct(next, '=')) {
      return this.finish(this.parseKeywordStatement());
    }
    if (this.isPunct(next, '=')) {
      const name = this.identifier(this.advance());
      this.advance();
      const value = this.parseExpression();
      return this.finish({ kind: 'let', name, value, span: { start: name.span.start, end: value.span.end } });
    }
    return this.finish(this.parseCall());
  }

  private parseKeywordStatement(): Statement {
    const keywordToken = this.advance();
    const keyword = keywordToken.span;
    const start = keyword.start;
    switch (keywordToken.text) {
      case 'input': {
        const t = this.peek();
        if (t.kind === 'dims' || t.kind === 'number') {
          this.advance();
          const values = t.text.split('x').map(Number);
          return { kind: 'input', keyword, dims: { kind: 'dims', values, span: t.span }, span: { start, end: t.span.end } };
        }
        const dims = this.missing('dimensions CxHxW', t);
        return { kind: 'input', keyword, dims, span: { start, end: keyword.end } };
      }
      case 'weights':
      case 'labels': {
        const t = this.peek();
        if (t.kind === 'string') {
          this.advance();
          const path = { kind: 'string' as const, value: t.value ?? '', span: t.span };
          return { kind: keywordToken.text, keyword, path, span: { start, end: t.span.end } };
        }
        return { kind: keywordToken.text, keyword, path: this.missing('a quoted path', t), span: keyword };
      }
      case 'preprocess': {
        const t = this.peek();
        if (t.kind === 'identifier') {
          const preset = this.identifier(this.advance());
          return { kind: 'preprocess', keyword, preset, span: { start, end: preset.span.end } };
        }
        if (!this.isPunct(t, '{')) {
          this.missing("'imagenet' or '{'", t);
          return { kind: 'preprocess', keyword, span: keyword };
        }
        this.advance();
        const steps: CallStatement[] = [];
        for (;;) {
          this.skipStatementSeparators();
          const s = this.peek();
          if (this.isPunct(s, '}')) {
            this.advance();
            return { kind: 'preprocess', keyword, steps, body: { start: t.span.start, end: s.span.end }, span: { start, end: s.span.end } };
          }
          if (s.kind !== 'identifier') {
            this.report('unclosed', t.span, ['preprocess section']);
            return { kind: 'preprocess', keyword, steps, body: { start: t.span.start, end: this.previousEnd() }, span: { start, end: this.previousEnd() } };
          }
          const step = this.finish(this.parseCall());
          if (step.kind === 'call') steps.push(step);
        }
      }
      case 'expansion': {
        const value = this.parseExpression();
        return { kind: 'expansion', keyword, value, span: { start, end: value.span.end } };
      }
      default: {
        const condition = this.parseExpression();
        let message: { value: string; span: Span } | undefined;
        if (this.isPunct(this.peek(), ',')) {
          this.advance();
          const m = this.peek();
          if (m.kind === 'string') {
            this.advance();
            message = { value: m.value ?? '', span: m.span };
          } else this.missing('a quoted message', m);
        }
        return { kind: 'require', keyword, condition, message, span: { start, end: message?.span.end ?? condition.span.end } };
      }
    }
  }

  private parseAdd(): Statement {
    const plus = this.advance().span;
    const t = this.peek();
    const shortcut = t.kind === 'identifier' ? this.identifier(this.advance()) : this.missing('a shortcut (shortcut, identity, projection or zeropad)', t);
    return { kind: 'add', shortcut, span: { start: plus.start, end: shortcut.kind === 'missing' ? plus.end : shortcut.span.end } };
  }

  private parseCall(): CallStatement {
    const first = this.identifier(this.advance());
    let name: Identifier | undefined;
    let callee = first;
    let numbered: Span | undefined;
    const star = this.peek();
    if (this.isPunct(star, '*') && star.span.start === first.span.end && this.peek(1).kind === 'identifier') {
      numbered = this.advance().span;
    }
    const t = this.peek();
    if (t.kind === 'identifier' && (numbered || !repeatPattern.test(t.text))) {
      name = first;
      callee = this.identifier(this.advance());
    }
    let argList: ArgumentList | undefined;
    if (this.isPunct(this.peek(), '(')) argList = this.parseArguments();
    let repeat: CallStatement['repeat'];
    const r = this.peek();
    const match = r.kind === 'identifier' ? repeatPattern.exec(r.text) : null;
    const after = this.peek(1);
    if (match) {
      this.advance();
      repeat = { count: Number(match[1]), span: r.span };
    } else if (this.isWord(r, 'x') && (this.isPunct(after, '(') || (after.kind === 'identifier' && !this.isPunct(this.peek(2), '=')))) {
      // `x layers`, `x (n + 1)`: a count computed from the block's parameters.
      this.advance();
      const expression = this.parseUnary();
      repeat = { expression, span: { start: r.span.start, end: expression.span.end } };
    }
    const stageArgs: Argument[] = [];
    while (this.peek().kind === 'identifier' && this.isPunct(this.peek(1), '=')) {
      const key = this.identifier(this.advance());
      this.advance();
      const value = this.parseExpression();
      stageArgs.push({ name: key, value, span: { start: key.span.start, end: value.span.end } });
    }
    const end = stageArgs.at(-1)?.span.end ?? repeat?.span.end ?? argList?.span.end ?? callee.span.end;
    return { kind: 'call', name, callee, argList, repeat, stageArgs, ...(numbered ? { numbered } : {}), span: { start: first.span.start, end } };
  }

  private parseArguments(): ArgumentList {
    const open = this.advance().span;
    this.groupDepth++;
    const args: Argument[] = [];
    let end = open.end;
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, ')')) {
        this.advance();
        end = t.span.end;
        break;
      }
      if (t.kind === 'end' || this.isPunct(t, '}')) {
        this.report('unexpected', t.span, ["')'", describe(t)]);
        end = this.previousEnd();
        break;
      }
      let argName: Identifier | undefined;
      if (t.kind === 'identifier' && this.isPunct(this.peek(1), '=')) {
        argName = this.identifier(this.advance());
        this.advance();
      }
      const value = this.parseExpression();
      // A positional argument's span is its value's (one object fewer per argument).
      args.push({ name: argName, value, span: argName ? { start: argName.span.start, end: value.span.end } : value.span });
      const after = this.peek();
      if (this.isPunct(after, ',')) {
        this.advance();
        continue;
      }
      if (!this.isPunct(after, ')')) {
        this.report('unexpected', after.span, ["',' or ')'", describe(after)]);
        end = this.skipToClose() ?? this.previousEnd();
        break;
      }
    }
    this.groupDepth--;
    // A copy of exact length: an array grown by push keeps room for 17, and the tree keeps every list.
    return { args: args.slice(), span: { start: open.start, end } };
  }

  // Expressions, lowest precedence first.
  private parseExpression(): Expression {
    if (this.expressionDepth >= maxNesting) {
      const t = this.peek();
      this.report('tooDeep', t.span, [maxNesting]);
      this.skipGroup();
      return { kind: 'missing', expected: 'an expression', span: { start: t.span.start, end: this.previousEnd() } };
    }
    if (this.expressionDepth === 0) this.operatorCount = 0;
    this.expressionDepth++;
    try {
      const then = this.parseBinary(0);
      if (!this.isWord(this.peek(), 'if')) return then;
      this.advance();
      const condition = this.parseBinary(0);
      if (!this.isWord(this.peek(), 'else')) return { kind: 'conditional', condition, then, otherwise: this.missing("'else'", this.peek()), span: { start: then.span.start, end: condition.span.end } };
      this.advance();
      const otherwise = this.parseExpression();
      return { kind: 'conditional', condition, then, otherwise, span: { start: then.span.start, end: otherwise.span.end } };
    } finally {
      this.expressionDepth--;
    }
  }

  private static readonly levels: BinaryOperator[][] = [['or'], ['and'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/', '//', '%']];

  private parseBinary(level: number): Expression {
    if (level === Parser.levels.length) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const t = this.peek();
      const op = (t.kind === 'identifier' || t.kind === 'punctuation') && (Parser.levels[level] as string[]).includes(t.text) ? (t.text as BinaryOperator) : undefined;
      if (!op) return left;
      if (this.tooManyOperators(t)) return left;
      this.advance();
      const right = this.parseBinary(level + 1);
      left = { kind: 'binary', operator: op, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  private parseUnary(): Expression {
    const operators: Token[] = [];
    for (let t = this.peek(); this.isPunct(t, '-') || this.isPunct(t, '+') || this.isWord(t, 'not'); t = this.peek()) {
      if (this.tooManyOperators(t)) return { kind: 'missing', expected: 'an expression', span: { start: t.span.start, end: this.previousEnd() } };
      operators.push(this.advance());
    }
    let operand = this.parsePostfix();
    for (const op of operators.reverse()) {
      operand = { kind: 'unary', operator: op.text as '-' | '+' | 'not', operand, span: { start: op.span.start, end: operand.span.end } };
    }
    return operand;
  }

  /** A primary followed by calls `f(args)` (only right after a name) and indexes `v[i]`, each touching what it follows. */
  private parsePostfix(): Expression {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.at(this.pos);
      if (e.kind === 'name' && this.isPunct(t, '(') && t.span.start === e.span.end) {
        const list = this.parseArguments();
        e = { kind: 'call', callee: { kind: 'identifier', text: e.name, span: e.span }, args: list.args, span: { start: e.span.start, end: list.span.end } };
      } else if (e.kind !== 'missing' && this.isPunct(t, '[') && t.span.start === e.span.end) {
        this.advance();
        this.groupDepth++;
        const index = this.parseExpression();
        const end = this.expectPunct(']', "']'")?.end ?? this.previousEnd();
        this.groupDepth--;
        e = { kind: 'index', target: e, index, span: { start: e.span.start, end } };
      } else return e;
    }
  }

  private parsePrimary(): Expression {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.advance();
        return { kind: 'number', value: Number(t.text), text: t.text, span: t.span };
      case 'string':
        this.advance();
        return { kind: 'string', value: t.value ?? '', span: t.span };
      case 'identifier':
        this.advance();
        return { kind: 'name', name: t.text, span: t.span };
      case 'punctuation':
        if (t.text === '(' || t.text === '[') {
          const close = t.text === '(' ? ')' : ']';
          this.advance();
          this.groupDepth++;
          const items: Expression[] = [];
          let comma = false;
          while (!this.isPunct(this.peek(), close)) {
            items.push(this.parseExpression());
            if (!this.isPunct(this.peek(), ',')) break;
            this.advance();
            comma = true;
          }
          const end = this.expectPunct(close, `'${close}'`)?.end ?? this.previousEnd();
          this.groupDepth--;
          const span = { start: t.span.start, end };
          if (t.text === '[' || (comma && items.length > 0)) return { kind: 'list', items, span };
          if (items.length === 1) return { kind: 'paren', inner: items[0], span };
          return { kind: 'missing', expected: 'an expression', span };
        }
    }
    return this.missing('an expression', t);
  }

  /** Expressions are evaluated recursively, so their size is bounded like their nesting. */
  private tooManyOperators(at: Token): boolean {
    if (++this.operatorCount <= maxNesting) return false;
    this.report('tooDeep', at.span, [maxNesting]);
    this.skipGroup();
    return true;
  }

  // Statement ends and recovery.
  private finish(statement: Statement): Statement {
    const t = this.peek();
    if (t.kind === 'newline' || t.kind === 'end' || this.isPunct(t, ';') || this.isPunct(t, '}')) return statement;
    this.report('unexpected', t.span, ['the end of the line', describe(t)]);
    this.skipLine(false);
    return statement;
  }

  private errorStatement(start: number): Statement {
    const before = this.pos;
    this.skipLine(true);
    if (this.pos === before) this.advance();
    return { kind: 'error', span: { start, end: Math.max(start, this.previousEnd()) } };
  }

  /** Skips to the end of the line; braces are skipped as a balanced group at top level. */
  private skipLine(topLevel: boolean): void {
    let braces = 0;
    for (;;) {
      const t = this.at(this.pos);
      if (t.kind === 'end') return;
      if (t.kind === 'newline' && braces === 0) return;
      if (t.kind === 'punctuation') {
        if (t.text === '{') {
          if (!topLevel) return;
          braces++;
        } else if (t.text === '}') {
          if (braces === 0) return;
          braces--;
        }
      }
      this.pos++;
    }
  }

  /** After a broken argument: skips to the ')' that closes the list (returning its end) or to the end of the line. */
  private skipToClose(): number | undefined {
    let depth = 0;
    for (;;) {
      const t = this.at(this.pos);
      if (t.kind === 'end' || t.kind === 'newline' || this.isPunct(t, '}')) return undefined;
      this.pos++;
      if (this.isPunct(t, '(') || this.isPunct(t, '[')) depth++;
      else if (this.isPunct(t, ')') || this.isPunct(t, ']')) {
        if (depth === 0) return t.span.end;
        depth--;
      }
    }
  }

  /** Skips a run of opening brackets and what they enclose, without recursion. */
  private skipGroup(): void {
    let depth = 0;
    for (;;) {
      const t = this.at(this.pos);
      if (t.kind === 'end') return;
      if (t.kind === 'punctuation' && (t.text === '(' || t.text === '[')) depth++;
      else if (t.kind === 'punctuation' && (t.text === ')' || t.text === ']')) {
        if (depth === 0) return;
        depth--;
      } else if (depth === 0 && (t.kind === 'newline' || (t.kind === 'punctuation' && (t.text === ',' || t.text === '}')))) return;
      this.pos++;
    }
  }

  private skipStatementSeparators(): void {
    while (this.at(this.pos).kind === 'newline' || this.isPunct(this.at(this.pos), ';')) this.pos++;
  }

  // Token access.
  private peek(offset = 0): Token {
    let i = this.pos;
    for (;;) {
      while (this.groupDepth > 0 && this.at(i).kind === 'newline') i++;
      if (offset === 0 || this.at(i).kind === 'end') return this.at(i);
      offset--;
      i++;
    }
  }

  private advance(): Token {
    while (this.groupDepth > 0 && this.at(this.pos).kind === 'newline') this.pos++;
    const t = this.at(this.pos);
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private previousEnd(): number {
    return this.pos > 0 ? this.at(this.pos - 1).span.end : 0;
  }

  private isPunct(t: Token, text: string): boolean {
    return t.kind === 'punctuation' && t.text === text;
  }

  private isWord(t: Token, text: string): boolean {
    return t.kind === 'identifier' && t.text === text;
  }

  private identifier(t: Token): Identifier {
    return { kind: 'identifier', text: t.text, span: t.span };
  }

  private expectIdentifier(expected: string): Identifier | Missing {
    const t = this.peek();
    if (t.kind === 'identifier' && !(declarationKeywords as readonly string[]).includes(t.text)) return this.identifier(this.advance());
    return this.missing(expected, t);
  }

  private expectPunct(text: string, expected: string): Span | undefined {
    const t = this.peek();
    if (this.isPunct(t, text)) return this.advance().span;
    this.report('unexpected', t.span, [expected, describe(t)]);
    return undefined;
  }

  private missing(expected: string, found: Token): Missing {
    this.report('unexpected', found.span, [expected, describe(found)]);
    const at = this.previousEnd();
    return { kind: 'missing', expected, span: { start: at, end: at } };
  }

  private report(kind: 'unexpected' | 'unclosed' | 'tooDeep', span: Span, args: [string, string] | [string] | [number]): void {
    // One problem per position (recovery must not pile errors on one spot), and a bounded number in all.
    // (The lexical problems count too: problems() keeps the first that fit beside them.)
    if (this.reportedAt.has(span.start) || this.syntax.length >= 2 * maxSyntaxProblems) return;
    this.reportedAt.add(span.start);
    this.syntax.push(problem(kind, span, args as never));
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the file';
    case 'newline':
      return 'the end of the line';
    case 'string':
      return 'a string';
    case 'number':
    case 'dims':
      return `'${t.text}'`;
    default:
      return `'${t.text.length > 20 ? t.text.slice(0, 20) + '…' : t.text}'`;
  }
}
