// The syntax tree. Every node carries its span (UTF-16 offsets into the text); where the parser
// expected something that was not there it puts a `missing` node, never undefined. Together with
// the token stream (which keeps comments; spaces are the gaps between tokens) the tree is lossless.

export interface Span {
  start: number;
  end: number;
}

export interface Identifier {
  kind: 'identifier';
  text: string;
  span: Span;
}

export interface Missing {
  kind: 'missing';
  /** What was expected, for messages and completion. */
  expected: string;
  span: Span;
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export type Expression =
  | { kind: 'number'; value: number; text: string; span: Span }
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'name'; name: string; span: Span }
  | { kind: 'unary'; operator: '-' | '+' | 'not'; operand: Expression; span: Span }
  | { kind: 'binary'; operator: BinaryOperator; left: Expression; right: Expression; span: Span }
  /** `[a, b]`, or the tuple `(a, b)` (`(a,)` for one): one value per axis. */
  | { kind: 'list'; items: Expression[]; span: Span }
  | { kind: 'paren'; inner: Expression; span: Span }
  /** `cat(a, b)`, `sigmoid(gate)`, `mlp(pooled)`: a function of tensors or a module applied again (inside blocks). */
  | { kind: 'call'; callee: Identifier; args: Argument[]; span: Span }
  /** `a if condition else b`: only the chosen side is evaluated. */
  | { kind: 'conditional'; condition: Expression; then: Expression; otherwise: Expression; span: Span }
  /** `parts[0]`: an item of a list or of a split. */
  | { kind: 'index'; target: Expression; index: Expression; span: Span }
  | Missing;

export interface Argument {
  /** Present for keyword arguments. */
  name?: Identifier;
  value: Expression;
  span: Span;
}

export interface ArgumentList {
  args: Argument[];
  /** Span of the parentheses, including both. */
  span: Span;
}

/** `[name] callee[(args)] [xN] [key=value…]`: a layer, a block call or a stage. */
export interface CallStatement {
  kind: 'call';
  name?: Identifier;
  callee: Identifier;
  argList?: ArgumentList;
  /** `x3` (count) or `x layers`, `x (n + 1)` (expression). */
  repeat?: { count?: number; expression?: Expression; span: Span };
  /** `denselayer* …`: the children are named `denselayer1 … denselayerN` (torchvision's add_module("denselayer%d" % (i + 1))) instead of `name.0 …`. */
  numbered?: Span;
  /** Keyword arguments after `xN`, given to the first block of a stage only. */
  stageArgs: Argument[];
  span: Span;
}

export type Statement =
  | CallStatement
  | { kind: 'input'; keyword: Span; dims: { kind: 'dims'; values: number[]; span: Span } | Missing; span: Span }
  | { kind: 'weights' | 'labels'; keyword: Span; path: { kind: 'string'; value: string; span: Span } | Missing; span: Span }
  | { kind: 'preprocess'; keyword: Span; preset?: Identifier; steps?: CallStatement[]; body?: Span; span: Span }
  | { kind: 'expansion'; keyword: Span; value: Expression; span: Span }
  | { kind: 'let'; name: Identifier; value: Expression; span: Span }
  | { kind: 'add'; shortcut: Identifier | Missing; span: Span }
  | { kind: 'require'; keyword: Span; condition: Expression; message?: { value: string; span: Span }; span: Span }
  | { kind: 'error'; span: Span };

export interface Body {
  statements: Statement[];
  /** From `{` to `}` (or to where the body was cut off). */
  span: Span;
  closed: boolean;
}

export interface Parameter {
  name: Identifier;
  default?: Expression;
  span: Span;
}

export interface NetworkDeclaration {
  kind: 'network';
  keyword: Span;
  name: Identifier | Missing;
  body: Body;
  span: Span;
}

export interface BlockDeclaration {
  kind: 'block';
  keyword: Span;
  /** Declared with `sequential`: nn.Sequential, its layers and blocks named by position. */
  sequential: boolean;
  name: Identifier | Missing;
  parameters: Parameter[];
  parameterSpan?: Span;
  body: Body;
  span: Span;
}

export type Declaration = NetworkDeclaration | BlockDeclaration;

export interface SourceFile {
  declarations: Declaration[];
  span: Span;
}

export function spanOf(first: { span: Span }, last: { span: Span }): Span {
  return { start: first.span.start, end: last.span.end };
}

/** The expressions directly inside one, in source order (a call's: its arguments' values). */
function subexpressions(e: Expression): Expression[] {
  switch (e.kind) {
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'list':
      return e.items;
    case 'paren':
      return [e.inner];
    case 'call':
      return e.args.map((a) => a.value);
    case 'index':
      return [e.target, e.index];
    case 'conditional':
      return [e.then, e.condition, e.otherwise];
    default:
      return [];
  }
}

/** Every name an expression reads, in source order. */
export function namesIn(e: Expression | undefined): Identifier[] {
  if (!e) return [];
  return e.kind === 'name' ? [{ kind: 'identifier', text: e.name, span: e.span }] : subexpressions(e).flatMap(namesIn);
}

/** The calls in an expression (`cat(a, relu(b))`: cat's, then relu's). */
export function callsIn(e: Expression | undefined): Extract<Expression, { kind: 'call' }>[] {
  if (!e) return [];
  const inner = subexpressions(e).flatMap(callsIn);
  return e.kind === 'call' ? [e, ...inner] : inner;
}

/** The callees of the call expressions inside an expression, in source order. */
export const calleesIn = (e: Expression | undefined): Identifier[] => callsIn(e).map((call) => call.callee);

/** A readable dump of the tree, for fixture baselines. */
export function printTree(file: SourceFile): string {
  const lines: string[] = [];
  const at = (s: Span) => `@${s.start}..${s.end}`;
  const expr = (e: Expression): string => {
    switch (e.kind) {
      case 'number':
        return e.text;
      case 'string':
        return JSON.stringify(e.value);
      case 'name':
        return e.name;
      case 'unary':
        return `(${e.operator} ${expr(e.operand)})`;
      case 'binary':
        return `(${expr(e.left)} ${e.operator} ${expr(e.right)})`;
      case 'list':
        return `[${e.items.map(expr).join(', ')}]`;
      case 'paren':
        return expr(e.inner);
      case 'call':
        return `${e.callee.text}(${args(e.args)})`;
      case 'index':
        return `${expr(e.target)}[${expr(e.index)}]`;
      case 'conditional':
        return `(${expr(e.then)} if ${expr(e.condition)} else ${expr(e.otherwise)})`;
      case 'missing':
        return `<missing ${e.expected}>`;
    }
  };
  const ident = (i: Identifier | Missing) => (i.kind === 'identifier' ? i.text : `<missing ${i.expected}>`);
  function args(list: Argument[]): string {
    return list.map((a) => (a.name ? `${a.name.text}=` : '') + expr(a.value)).join(', ');
  }
  const statement = (s: Statement, indent: string) => {
    switch (s.kind) {
      case 'call':
        lines.push(
          `${indent}call ${s.name ? s.name.text + (s.numbered ? '*' : '') + ' ' : ''}${s.callee.text}` +
            (s.argList ? `(${args(s.argList.args)})` : '') +
            (s.repeat ? ` x${s.repeat.expression ? ` ${expr(s.repeat.expression)}` : s.repeat.count}` : '') +
            (s.stageArgs.length ? ` ${args(s.stageArgs)}` : '') +
            ` ${at(s.span)}`,
        );
        break;
      case 'input':
        lines.push(`${indent}input ${s.dims.kind === 'missing' ? '<missing dims>' : s.dims.values.join('x')} ${at(s.span)}`);
        break;
      case 'weights':
      case 'labels':
        lines.push(`${indent}${s.kind} ${s.path.kind === 'missing' ? '<missing path>' : JSON.stringify(s.path.value)} ${at(s.span)}`);
        break;
      case 'preprocess':
        lines.push(`${indent}preprocess${s.preset ? ' ' + s.preset.text : ''} ${at(s.span)}`);
        for (const step of s.steps ?? []) statement(step, indent + '  ');
        break;
      case 'expansion':
        lines.push(`${indent}expansion ${expr(s.value)} ${at(s.span)}`);
        break;
      case 'let':
        lines.push(`${indent}let ${s.name.text} = ${expr(s.value)} ${at(s.span)}`);
        break;
      case 'add':
        lines.push(`${indent}add ${ident(s.shortcut)} ${at(s.span)}`);
        break;
      case 'require':
        lines.push(`${indent}require ${expr(s.condition)}${s.message ? ', ' + JSON.stringify(s.message.value) : ''} ${at(s.span)}`);
        break;
      case 'error':
        lines.push(`${indent}error ${at(s.span)}`);
        break;
    }
  };
  for (const d of file.declarations) {
    if (d.kind === 'network') {
      lines.push(`network ${ident(d.name)} ${at(d.span)}`);
    } else {
      const params = d.parameters.map((p) => p.name.text + (p.default ? `=${expr(p.default)}` : '')).join(', ');
      lines.push(`${d.sequential ? 'sequential' : 'block'} ${ident(d.name)}(${params}) ${at(d.span)}`);
    }
    for (const s of d.body.statements) statement(s, '  ');
    if (!d.body.closed) lines.push('  <unclosed body>');
  }
  return lines.join('\n') + '\n';
}
