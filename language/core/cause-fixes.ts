// Quick fixes made where an error is caused rather than where it shows: the padding that keeps a
// block's size, the `* expansion` a block's last conv forgot, a value changed where it is written (a
// literal, or the call's argument that a block parameter names) instead of a literal pasted over an
// expression. Each is a candidate: fix-verification.ts offers it only if it works.

import type { Fix, SourceId, TextEdit } from './model';
import type { Argument, BlockDeclaration, CallStatement, Expression, Span } from './syntax';

/** The caller's argument for each parameter of a block, when the caller is in the file. */
export type CallArguments = (parameter: string) => Argument | undefined;

export function callArguments(args: Argument[], declaration: BlockDeclaration): CallArguments {
  const positional = args.filter((a) => !a.name);
  return (parameter) => {
    const index = declaration.parameters.findIndex((p) => p.name.text === parameter);
    return args.find((a) => a.name?.text === parameter) ?? (index >= 0 ? positional[index] : undefined);
  };
}

/** `argument=value` in `statement`: the written value replaced when it is a number, else added at the end of its arguments. */
function setArgument(statement: CallStatement, parameters: string[], name: string, value: number): TextEdit | undefined {
  const args = statement.argList?.args ?? [];
  const index = parameters.indexOf(name);
  const given = args.find((a) => a.name?.text === name) ?? args.filter((a) => !a.name)[index];
  if (given) return given.value.kind === 'number' ? { span: given.value.span, newText: String(value) } : undefined;
  if (!statement.argList) return { span: { start: statement.callee.span.end, end: statement.callee.span.end }, newText: `(${name}=${value})` };
  const close = statement.argList.span.end - 1;
  return { span: { start: close, end: close }, newText: `${args.length > 0 ? ', ' : ''}${name}=${value}` };
}

/** A window (conv, maxpool) that shrank the main path at stride 1 or more: the padding that keeps ⌈size / stride⌉, as the shortcut does. */
export function paddingFix(statement: CallStatement, parameters: string[], who: string, window: { kernel: number; dilation: number; padding: number }): Fix[] {
  const span = window.dilation * (window.kernel - 1);
  if (span % 2 !== 0 || span / 2 === window.padding) return [];
  const edit = setArgument(statement, parameters, 'padding', span / 2);
  return edit ? [{ title: `Pad '${who}' with padding=${span / 2} so it keeps the size`, edits: [edit] }] : [];
}

const mentions = (e: Expression, name: string): boolean => {
  switch (e.kind) {
    case 'name':
      return e.name === name;
    case 'binary':
      return mentions(e.left, name) || mentions(e.right, name);
    case 'unary':
      return mentions(e.operand, name);
    case 'paren':
      return mentions(e.inner, name);
    case 'list':
      return e.items.some((item) => mentions(item, name));
    default:
      return false;
  }
};

/**
 * The block's output is `planes * expansion` in torchvision: a block that declares an expansion but
 * whose last conv does not multiply by it gives the stage too few channels, which shows much later
 * (at the classifier). The fix multiplies that conv's channels.
 */
export function expansionFix(block: { declaration: BlockDeclaration; source: SourceId } | undefined, expansion: unknown, text: string): Fix[] {
  if (!block || block.source !== 'file' || typeof expansion !== 'number' || expansion === 1) return [];
  const statements = block.declaration.body.statements;
  const addAt = statements.findIndex((s) => s.kind === 'add');
  const main = addAt >= 0 ? statements.slice(0, addAt) : statements;
  const conv = main.filter((s): s is CallStatement => s.kind === 'call' && s.callee.text === 'conv').pop();
  const out = conv?.argList?.args.find((a) => a.name?.text === 'out') ?? conv?.argList?.args.find((a) => !a.name);
  if (!conv || !out || out.value.kind === 'missing' || mentions(out.value, 'expansion')) return [];
  const v = out.value;
  const written = text.slice(v.span.start, v.span.end);
  const simple = v.kind === 'name' || v.kind === 'number' || v.kind === 'paren' || (v.kind === 'binary' && (v.operator === '*' || v.operator === '//' || v.operator === '/'));
  const edits: TextEdit[] = simple
    ? [{ span: { start: v.span.end, end: v.span.end }, newText: ' * expansion' }]
    : [
        { span: { start: v.span.start, end: v.span.start }, newText: '(' },
        { span: { start: v.span.end, end: v.span.end }, newText: ') * expansion' },
      ];
  const name = conv.name?.text ?? 'conv';
  return [{ title: `Multiply '${name}' by the block's expansion: ${simple ? written : `(${written})`} * expansion`, edits }];
}

/**
 * A rule's suggested value (a number, or a tuple with one per axis), written where the value comes
 * from. Inside a block an expression stands for every instance and is never replaced by a value: a
 * literal is, or the literal the call passes for the block parameter the argument names.
 */
export function valueFix(argument: string, value: Expression, suggestion: number | number[], block: { callArgs?: CallArguments; caller: string } | undefined): Fix[] {
  const written = Array.isArray(suggestion) ? `(${suggestion.join(', ')})` : String(suggestion);
  const change = (span: Span, title: string): Fix[] => [{ title, edits: [{ span, newText: written }] }];
  if (isLiteral(value) || (!block && value.kind !== 'missing')) return change(value.span, `Change ${argument} to ${written}`);
  const given = value.kind === 'name' ? block?.callArgs?.(value.name) : undefined;
  if (!given || !isLiteral(given.value) || value.kind !== 'name') return [];
  return change(given.value.span, `Change ${value.name} to ${written} in the call of '${block!.caller}'`);
}

const isLiteral = (e: Expression) => e.kind === 'number' || (e.kind === 'list' && e.items.every((item) => item.kind === 'number'));
