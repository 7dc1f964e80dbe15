// Named values inside a block: `gate = sigmoid(mlp(avgpool(input)) + mlp(global_maxpool(input)))`.
// A tensor expression reads the block's `input`, the values bound before it and the outputs of the
// named statements before it; it combines them with `cat`, `split`/`chunk` and an index, `+` and
// `*` (PyTorch's broadcasting), the weightless ops of the table applied as functions, and named
// modules applied again (shared weights). Each step becomes a node of the block, with its span, the
// ids of the values it reads, and the name the file gives its value.

import type { ProblemKind } from './diagnostics';
import { problem } from './diagnostics';
import { formatDims, formatShape } from './format';
import type { Fix, LayerNode, LayerOp, MergeNode, MergeOp, ModelNode, RelatedInformation, ReuseNode, Shape, SourceId, SourceSpan } from './model';
import { isLayerOp, merges, ops } from './ops';
import type { Argument, Expression, Span } from './syntax';

/** What changed a value's size or channels on its way from the block input: for messages that name the culprit. */
export interface Change {
  detail: string;
  span: Span;
  source: SourceId;
  /** The change before it on the same path: a mismatch blames what one side did after the other. */
  before?: Change;
}

/** A value of the block: the block input (id 'input') or the output of one of its nodes. */
export interface TensorValue {
  kind: 'tensor';
  node?: ModelNode;
  shape?: Shape;
  /** How the file names it: 'input', 'conv2', 'gate', or the expression. */
  label: string;
  spatial?: Change;
  channels?: Change;
}

/** The parts of `split(x, size)` / `chunk(x, n)`: channel ranges of one value, read by an index. */
export interface Parts {
  kind: 'parts';
  of: TensorValue;
  ranges: [number, number][];
  span: Span;
}

type Result = TensorValue | Parts | number | undefined;

/** The block being elaborated, as the expressions see it (elaborate.ts provides it). */
export interface Scope {
  source: SourceId;
  /** Tensor values by name ('input', bindings, named statements), and the parts of splits. */
  values: Map<string, TensorValue | Parts>;
  /** Evaluates a numeric argument (block parameters, constants). */
  number(e: Expression): number | undefined;
  /** Evaluates the condition of `a if condition else b`. */
  condition(e: Expression): boolean | undefined;
  /** A weightless layer of the op table applied to one value: its node, input not yet set. */
  layer(op: LayerOp, args: Argument[], input: Shape | undefined, span: Span): LayerNode;
  report<K extends ProblemKind>(kind: K, span: Span, args: Parameters<typeof problem<K>>[2], fixes?: Fix[], related?: RelatedInformation[]): void;
  place(span: Span): { range: Span; definition?: SourceSpan };
  /** Fixes at the cause of a size change (the padding a window forgot), when its statement is in the file. */
  sizeFixes(change: Change): Fix[];
  /** A number changed where it is written (cause-fixes.ts valueFix). */
  valueFix(argument: string, value: Expression, suggestion: number): Fix[];
  /** A fresh value id in this block. */
  newId(): string;
  text: string;
}

export function valueId(value: TensorValue, scope: Scope): string {
  if (!value.node) return 'input';
  value.node.id ??= scope.newId();
  return value.node.id;
}

/** Does the expression compute a tensor (so `name = expression` binds a value, not a constant)? */
export function isTensorExpression(e: Expression, values: ReadonlyMap<string, unknown>): boolean {
  switch (e.kind) {
    case 'call':
      return true;
    case 'name':
      return values.has(e.name);
    case 'binary':
      return isTensorExpression(e.left, values) || isTensorExpression(e.right, values);
    case 'paren':
      return isTensorExpression(e.inner, values);
    case 'index':
      return isTensorExpression(e.target, values);
    case 'conditional':
      return isTensorExpression(e.then, values) || isTensorExpression(e.otherwise, values);
    case 'unary':
      return isTensorExpression(e.operand, values);
    default:
      return false;
  }
}

/** Elaborates a tensor expression into nodes (appended to `nodes`); returns its value (or the parts of a split, to index later). */
export function tensorExpression(e: Expression, scope: Scope, nodes: ModelNode[]): TensorValue | Parts | undefined {
  const text = (span: Span) => scope.text.slice(span.start, span.end);
  const tensor = (r: Result, span: Span): TensorValue | undefined => {
    if (r === undefined || (typeof r === 'object' && r.kind === 'tensor')) return r;
    scope.report('tensorExpression', span, [typeof r === 'number' ? `'${text(span)}' is a number where a tensor is expected.` : `'${text(span)}' is a list of parts: pick one with an index ('${text(span)}[0]').`]);
    return undefined;
  };
  const push = <N extends ModelNode>(node: N, inputs: TensorValue[], span: Span, flow: Flow): TensorValue => {
    node.inputs = inputs.map((v) => valueId(v, scope));
    nodes.push(node);
    return { kind: 'tensor', node, shape: node.outputShape, label: text(span), ...flow };
  };
  /** The changes on the way to a layer's output: its own, over those of its input. */
  const changed = (input: TensorValue, output: Shape | undefined, what: string, span: Span): Flow => {
    const a = input.shape;
    const flow: Flow = { spatial: input.spatial, channels: input.channels };
    if (!a || !output || a.length < 4 || output.length !== a.length) return flow;
    if (a.some((size, axis) => axis > 1 && size !== output[axis])) {
      flow.spatial = { detail: `'${what}' changed the size ${formatDims(a.slice(2))} → ${formatDims(output.slice(2))}.`, span, source: scope.source, before: input.spatial };
    }
    if (a[1] !== output[1]) flow.channels = { detail: `'${what}' changed the channels ${a[1]} → ${output[1]}.`, span, source: scope.source, before: input.channels };
    return flow;
  };

  const merge = (op: MergeOp, inputs: TensorValue[], span: Span): TensorValue | undefined => {
    const node: MergeNode = { kind: 'merge', op, name: '', inputs: [], inputShapes: inputs.map((v) => v.shape), ...scope.place(span), inputShape: inputs[0].shape, params: 0n, macs: 0n };
    const shapes = inputs.map((v) => v.shape);
    const flow: Flow = { spatial: inputs.find((v) => v.spatial)?.spatial };
    if (shapes.every((s): s is Shape => s !== undefined)) {
      const result = merges[op].infer(shapes);
      if ('mismatch' in result) {
        mismatch(op, inputs, result.mismatch, span);
      } else {
        node.outputShape = result.output;
        node.attrs = result.attrs;
        const channels = result.output[1];
        flow.channels =
          op === 'cat'
            ? { detail: `'${text(span)}' joins ${result.attrs.sizes.join(' + ')} = ${channels} channels.`, span, source: scope.source }
            : inputs.find((v) => v.shape![1] === channels && v.shape!.length === result.output.length)?.channels;
      }
    }
    return push(node, inputs, span, flow);
  };

  /** Names both sides, what changed one of them (after the point where they part), and offers the fix at that cause. */
  const mismatch = (op: MergeOp, inputs: TensorValue[], axis: number, span: Span) => {
    const first = inputs[0].shape!;
    const differs = (v: TensorValue) => v.shape!.length !== first.length || (op === 'cat' ? v.shape!.some((d, i) => i !== 1 && d !== first[i]) : v.shape![axis] !== first[axis]);
    const [a, b] = [inputs[0], inputs.find(differs) ?? inputs[1]];
    const sides = `'${a.label}' is ${formatShape(a.shape!)} and '${b.label}' is ${formatShape(b.shape!)}`;
    const sameRank = a.shape!.length === b.shape!.length;
    const channelAxis = op !== 'cat' && sameRank && axis === 1;
    const causes = channelAxis ? culprits(a.channels, b.channels) : culprits(a.spatial, b.spatial);
    const named = causes.map((c) => ' ' + c.detail).join('');
    const related: RelatedInformation[] = causes.map((c) => ({ source: c.source, span: c.span, message: c.detail }));
    if (op === 'cat') {
      const why = sameRank ? `they differ in ${axisWords(a.shape!, b.shape!)}` : `one is a ${kindOf(a.shape!)}, the other a ${kindOf(b.shape!)}`;
      const each = sameRank ? causes.map((c) => scope.sizeFixes(c)) : [];
      const fixes = each.flat();
      // Two branches that each shrank: neither fix alone works, both together may.
      if (each.length > 1 && each.every((f) => f.length === 1)) {
        fixes.push({ title: each.map(([f], i) => (i === 0 ? f.title : f.title[0].toLowerCase() + f.title.slice(1))).join(', and '), edits: each.flatMap(([f]) => f.edits) });
      }
      scope.report('catSpatial', span, [`cat joins channels, so the other sizes must be equal: ${sides} (${why}).${named}`], fixes, related);
    } else {
      scope.report('broadcast', span, [`'${op === 'add' ? '+' : '*'}' cannot broadcast: ${sides}; each size must be equal or 1.${named}`], [], related);
    }
  };

  const call = (e: Extract<Expression, { kind: 'call' }>): Result => {
    const name = e.callee.text;
    const positional = e.args.filter((a) => !a.name);
    const keywords = e.args.filter((a) => a.name);
    const module = scope.values.get(name);
    if (module?.kind === 'tensor' && module.node && name !== 'input') return reuse(name, module, e);
    if (name === 'cat') {
      if (keywords.length > 0 || positional.length < 2) {
        scope.report('tensorExpression', e.span, ['cat takes two or more values: cat(a, b, …).']);
        return undefined;
      }
      const inputs = positional.map((a) => tensor(visit(a.value), a.value.span));
      return inputs.every((v): v is TensorValue => v !== undefined) ? merge('cat', inputs, e.span) : undefined;
    }
    if (name === 'split' || name === 'chunk') return split(name, e);
    if (!isLayerOp(name)) return undefined; // reported by the name check
    if (ops[name].hasWeights) {
      scope.report('tensorExpression', e.callee.span, [`'${name}' has weights, so it needs a name: write it as a statement ('name ${name}(…)') and apply it again here as 'name(x)'.`]);
      return undefined;
    }
    const [first, ...rest] = positional;
    if (!first) {
      scope.report('tensorExpression', e.span, [`${name}(…) needs the value it applies to first: ${name}(x${ops[name].params.length ? ', …' : ''}).`]);
      return undefined;
    }
    const input = tensor(visit(first.value), first.value.span);
    if (!input) return undefined;
    const node = scope.layer(name, [...rest, ...keywords], input.shape, e.span);
    node.fromExpression = true;
    return push(node, [input], e.span, changed(input, node.outputShape, text(e.span), e.span));
  };

  const reuse = (name: string, module: TensorValue, e: Extract<Expression, { kind: 'call' }>): Result => {
    const target = module.node!;
    if (e.args.length !== 1 || e.args[0].name) {
      scope.report('tensorExpression', e.span, [`'${name}' is a module: apply it to one value, ${name}(x).`]);
      return undefined;
    }
    if (target.kind === 'merge' || target.kind === 'reuse' || target.kind === 'add') {
      scope.report('tensorExpression', e.callee.span, [`'${name}' is a value, not a module: only a named layer, block or stage can be applied again.`]);
      return undefined;
    }
    const input = tensor(visit(e.args[0].value), e.args[0].value.span);
    if (!input) return undefined;
    const node: ReuseNode = { kind: 'reuse', name: target.name, target: '', inputs: [], ...scope.place(e.span), inputShape: input.shape, params: 0n, macs: target.macs };
    node.target = valueId(module, scope);
    const expected = target.inputShape;
    if (input.shape && expected && formatShape(input.shape) !== formatShape(expected)) {
      const cause = input.shape.length === expected.length && input.shape[1] !== expected[1] ? input.channels : input.spatial;
      const related: RelatedInformation[] = [{ source: scope.source, span: module.node!.definition?.span ?? module.node!.range, message: `'${name}' is written here, for ${formatShape(expected)}` }];
      if (cause) related.push({ source: cause.source, span: cause.span, message: cause.detail });
      scope.report('sharedShape', e.span, [name, formatShape(input.shape), formatShape(expected), cause ? ' ' + cause.detail : ''], [], related);
    } else if (input.shape) node.outputShape = target.outputShape;
    return push(node, [input], e.span, changed(input, node.outputShape, text(e.span), e.span));
  };

  /** The layer that gave a value its channels, for a message about them. */
  const culprit = (v: TensorValue) => (v.channels ? ' ' + v.channels.detail : '');

  const split = (name: 'split' | 'chunk', e: Extract<Expression, { kind: 'call' }>): Result => {
    const [x, size] = e.args;
    if (e.args.length !== 2 || x.name || size.name) {
      scope.report('tensorExpression', e.span, [name === 'split' ? 'split takes a value and a part size, split(x, size), or a list of sizes, split(x, [a, b]).' : 'chunk takes a value and a number of parts: chunk(x, n).']);
      return undefined;
    }
    const input = tensor(visit(x.value), x.value.span);
    const channels = input?.shape?.[1];
    const sizeValue = size.value.kind === 'list' ? size.value.items.map((item) => scope.number(item)) : [scope.number(size.value)];
    if (!input || channels === undefined || sizeValue.some((v) => v === undefined)) return undefined;
    const numbers = sizeValue as number[];
    if (!numbers.every((n) => Number.isInteger(n) && n >= 1)) {
      scope.report('badValue', size.value.span, [name, `part sizes and counts are whole numbers of at least 1, got ${numbers.join(', ')}`]);
      return undefined;
    }
    let sizes: number[];
    if (size.value.kind === 'list') {
      const total = numbers.reduce((a, b) => a + b, 0);
      if (total !== channels) {
        const last = numbers[numbers.length - 1] + channels - total;
        const fixes = last >= 1 ? scope.valueFix('the last part', (size.value as Extract<Expression, { kind: 'list' }>).items.at(-1)!, last).map((f) => ({ ...f, title: `${f.title} (the parts add up to ${channels})` })) : [];
        scope.report('splitNotDividing', e.span, [`split: the parts ${numbers.join(' + ')} = ${total} do not add up to the ${channels} channels of '${input.label}'.${culprit(input)}`], fixes);
        return undefined;
      }
      sizes = numbers;
    } else {
      const [n] = numbers;
      const part = name === 'split' ? n : channels / n;
      if (channels % n !== 0) {
        const fixes = nearestDivisors(channels, n).flatMap((d) =>
          scope.valueFix(name === 'split' ? 'the part size' : 'the number of parts', size.value, d).map((f) => ({ ...f, title: `${f.title} (${name === 'split' ? channels / d : d} parts of ${name === 'split' ? d : channels / d} channels)` })),
        );
        scope.report('splitNotDividing', e.span, [`${name}: the ${channels} channels of '${input.label}' do not divide into ${name === 'split' ? `parts of ${n}` : `${n} equal parts`} (PyTorch would make a smaller last part).${culprit(input)}`], fixes);
        return undefined;
      }
      sizes = Array.from({ length: channels / part }, () => part);
    }
    const ranges: [number, number][] = [];
    sizes.reduce((start, s) => (ranges.push([start, start + s]), start + s), 0);
    return { kind: 'parts', of: input, ranges, span: e.span };
  };

  const index = (e: Extract<Expression, { kind: 'index' }>): Result => {
    const target = visit(e.target);
    if (target === undefined) return undefined;
    if (typeof target !== 'object' || target.kind !== 'parts') {
      scope.report('tensorExpression', e.span, [`only the parts of split(…) or chunk(…) can be indexed here.`]);
      return undefined;
    }
    const i = scope.number(e.index);
    if (i === undefined) return undefined;
    if (!Number.isInteger(i) || i < 0 || i >= target.ranges.length) {
      scope.report('tensorExpression', e.index.span, [`index ${i} is outside the ${target.ranges.length} parts of '${text(target.span)}'.`]);
      return undefined;
    }
    const [start, end] = target.ranges[i];
    const node = scope.layer('slice', [number('start', start, e.span), number('end', end, e.span)], target.of.shape, e.span);
    node.fromExpression = true;
    return push(node, [target.of], e.span, changed(target.of, node.outputShape, text(e.span), e.span));
  };

  const visit = (e: Expression): Result => {
    switch (e.kind) {
      case 'name': {
        const value = scope.values.get(e.name);
        return value ?? scope.number(e);
      }
      case 'paren':
        return visit(e.inner);
      case 'call':
        return call(e);
      case 'index':
        return index(e);
      case 'binary': {
        if (e.operator !== '+' && e.operator !== '*') break;
        const left = visit(e.left);
        const right = visit(e.right);
        if (typeof left === 'number' && typeof right === 'number') return e.operator === '+' ? left + right : left * right;
        const a = tensor(left, e.left.span);
        const b = tensor(right, e.right.span);
        if (!a || !b) return undefined;
        return merge(e.operator === '+' ? 'add' : 'mul', [a, b], e.span);
      }
      case 'number':
        return e.value;
      case 'conditional': {
        const condition = scope.condition(e.condition);
        return condition === undefined ? undefined : visit(condition ? e.then : e.otherwise);
      }
      default:
        break;
    }
    if (!isTensorExpression(e, scope.values)) return scope.number(e);
    scope.report('tensorExpression', e.span, [`'${text(e.span)}': values combine with cat(…), split(…), chunk(…), an index, '+', '*' and the ops of the table.`]);
    return undefined;
  };

  const result = visit(e);
  return typeof result === 'object' && result.kind === 'parts' ? result : tensor(result, e.span);
}

/** The divisors of `total` nearest to `n` from below and above: the part sizes (or counts) that divide it. */
function nearestDivisors(total: number, n: number): number[] {
  const below = Array.from({ length: Math.min(n, total) }, (_, i) => Math.min(n, total) - i).find((d) => total % d === 0);
  let above: number | undefined;
  for (let d = n + 1; d <= total; d++) if (total % d === 0) { above = d; break; }
  return [below, above].filter((d): d is number => d !== undefined && d !== n);
}

type Flow = Pick<TensorValue, 'spatial' | 'channels'>;

/** The changes that explain why two values differ: a side's own changes after the point where the paths part. */
function culprits(a: Change | undefined, b: Change | undefined): Change[] {
  const along = (c: Change | undefined, target: Change) => {
    for (; c; c = c.before) if (c === target) return true;
    return false;
  };
  if (a === b) return [];
  if (!a) return [b!];
  if (!b) return [a];
  if (along(b, a)) return [b];
  if (along(a, b)) return [a];
  return [a, b];
}

/** The spatial axes where two shapes of one rank differ: 'height and width', 'frames'. */
function axisWords(a: Shape, b: Shape): string {
  const names = a.length === 5 ? ['frames', 'height', 'width'] : ['height', 'width'];
  const words = names.filter((_, i) => a[i + 2] !== b[i + 2]);
  return words.length <= 1 ? (words[0] ?? 'size') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

const kindOf = (shape: Shape) => (shape.length === 5 ? 'C×T×H×W clip' : shape.length === 4 ? 'C×H×W feature map' : shape.length === 2 ? 'flat vector' : `${shape.length - 1}-dimensional value`);

/** A numeric argument the language writes itself (a slice's bounds). */
function number(name: string, value: number, span: Span): Argument {
  const id = { kind: 'identifier' as const, text: name, span };
  return { name: id, value: { kind: 'number', value, text: String(value), span }, span };
}
