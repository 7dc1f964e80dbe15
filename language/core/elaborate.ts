// Turns the syntax tree into the analysed model: expands block calls and stages, evaluates
// arguments, and infers shapes, weights, params and MACs in one walk (arguments may read
// `in_channels`, and the automatic shortcut depends on shapes, so expansion needs shapes).
// Problems found inside a block are reported at the network statement that called it, with the
// place inside the block as related information, and (block-sites.ts) on the block's own line.

import { BlockSites } from './block-sites';
import { callArguments, expansionFix, paddingFix, valueFix, type CallArguments } from './cause-fixes';
import { isTensorExpression, tensorExpression, valueId, type Change as FlowChange, type Parts, type Scope, type TensorValue } from './dataflow';
import { problem, type ProblemKind } from './diagnostics';
import { sequentialItem } from './names';
import { evaluate, show, unknown, type Value } from './evaluate';
import type { AddNode, BlockNode, Diagnostic, Fix, LayerNode, LayerOp, ModelNode, Network, PreprocessSpec, RelatedInformation, Shape, ShortcutKind, SourceId, SourceSpan, StageNode } from './model';
import { dims, isLayerOp, maxChannels, ops, type ArgValues, type ParamSpec, type RuleProblem } from './ops';
import { formatAxes, formatDims, formatShape } from './format';
import { product } from './ops/op';
import { preludeText } from './prelude';
import { presetSpecs } from './preprocess-presets';
import type { Argument, BlockDeclaration, CallStatement, Expression, NetworkDeclaration, Span, Statement } from './syntax';

export const maxLayers = 200_000;
const maxBlockDepth = 64;
const maxInputSize = 1 << 16;

export interface BlockEntry {
  declaration: BlockDeclaration;
  source: SourceId;
}

/** A statement that changed the size or the channels: named in messages, changed by a fix. */
interface Change extends FlowChange {
  name: string;
  statement: CallStatement;
  node: ModelNode;
}

interface Frame {
  source: SourceId;
  prefix: string;
  env: Map<string, Value>;
  /** Let expressions by name, to offer '//' when a width is not whole. */
  lets: Map<string, Expression>;
  blockName?: string;
  blockInput?: Shape;
  /** In a `sequential`: the position that names the next layer or block. */
  position?: number;
  /** The network statement being expanded; undefined at network level. */
  callSite?: Span;
  trail: RelatedInformation[];
  chain: string[];
  changes: { channels?: Change; spatial?: Change };
  /** The caller's arguments, when the caller is in the file: a fix may change the value there. */
  callArgs?: CallArguments;
  /** The last block this frame called and its expansion: a classifier's mismatch may be its fault. */
  lastBlock?: { entry: BlockEntry; expansion: Value };
  /** Inside a block: its tensor values by name (`input`, bindings, named statements). */
  values?: Map<string, TensorValue | Parts>;
  nextId: number;
}

export class Elaborator {
  readonly problems: Diagnostic[] = [];
  /** The problems inside the file's own blocks, for their own lines. */
  readonly blockSites = new BlockSites();
  private layerCount = 0;
  private overflowReported = false;

  constructor(
    private readonly blocks: (name: string) => BlockEntry | undefined,
    private readonly text: string,
  ) {}

  network(declaration: NetworkDeclaration): Network {
    const frame: Frame = { source: 'file', prefix: '', env: new Map(), lets: new Map(), trail: [], chain: [], changes: {}, nextId: 0 };
    const name = declaration.name.kind === 'identifier' ? declaration.name.text : '';
    const network: Network = {
      name,
      range: declaration.span,
      nameRange: declaration.name.span,
      children: [],
      params: 0n,
      macs: 0n,
    };
    let sawInput = false;
    for (const s of declaration.body.statements) {
      if (s.kind === 'input') {
        sawInput = true;
        if (s.dims.kind === 'missing') continue;
        const values = s.dims.values;
        const problem = inputProblem(values);
        if (problem) this.report(frame, 'badInput', s.dims.span, [values.join('x'), problem]);
        else network.input ??= values;
      } else if (s.kind === 'weights' || s.kind === 'labels') {
        if (s.path.kind === 'string') network[s.kind] ??= { path: s.path.value, range: s.path.span };
      } else if (s.kind === 'preprocess') {
        network.preprocess ??= this.preprocess(s, frame);
      }
    }
    if (!sawInput) this.report(frame, 'missingInput', declaration.name.span, [name || 'network']);
    const walked = this.walk(declaration.body.statements, frame, network.input && [1, ...network.input]);
    network.children = walked.nodes;
    network.outputShape = walked.shape;
    network.params = sum(walked.nodes, 'params');
    network.macs = sum(walked.nodes, 'macs');
    if (network.preprocess && network.input) this.checkPreprocessChannels(network.preprocess, network.input[0], declaration, frame);
    return network;
  }

  private walk(statements: Statement[], frame: Frame, input: Shape | undefined): { nodes: ModelNode[]; shape: Shape | undefined; output?: string } {
    const nodes: ModelNode[] = [];
    let shape = input;
    // The value the next statement reads when it is not the last node's output (after a binding, or the block input).
    let pending: TensorValue | undefined;
    /** The value the next statement reads, for what changed it on its way (named when values mismatch). */
    let current = frame.values?.get('input') as TensorValue | undefined;
    /** Makes `node` read the pending value, if any. */
    const reads = (node: ModelNode) => {
      if (pending && frame.values) node.inputs = [valueId(pending, this.scope(frame))];
      pending = undefined;
    };
    for (const s of statements) {
      if (this.layerCount > maxLayers) {
        this.reportOverflow(frame, s.span);
        return { nodes, shape: undefined };
      }
      switch (s.kind) {
        case 'let':
          if (frame.values && isTensorExpression(s.value, frame.values)) {
            const value = tensorExpression(s.value, this.scope(frame), nodes);
            if (value?.kind === 'parts') {
              frame.values.set(s.name.text, value);
              break;
            }
            pending = value && value.node !== nodes.at(-1) ? value : undefined;
            if (value) {
              if (value.node && !value.node.label) value.node.label = s.name.text;
              frame.values.set(s.name.text, { ...value, label: s.name.text });
            }
            current = value;
            shape = value?.shape;
            break;
          }
          frame.env.set(s.name.text, this.value(s.value, frame));
          frame.lets.set(s.name.text, s.value);
          break;
        case 'expansion':
          frame.env.set('expansion', this.value(s.value, frame));
          break;
        case 'require': {
          const ok = this.value(s.condition, frame);
          if (ok === false) this.report(frame, 'requirement', s.span, [s.message?.value.trim() || `requirement not met: ${(frame.source === 'file' ? this.text : preludeText).slice(s.condition.span.start, s.condition.span.end)}`]);
          else if (ok !== true && ok !== unknown) this.report(frame, 'badValue', s.condition.span, ['require', `the condition must be true or false, got ${show(ok)}`]);
          break;
        }
        case 'add': {
          if (!frame.blockName || s.shortcut.kind !== 'identifier') {
            shape = undefined;
            break;
          }
          const node = this.add(s.shortcut.text, s.span, frame, shape);
          if (node) {
            reads(node);
            nodes.push(node);
          }
          shape = node?.outputShape;
          current = node && frame.values && { kind: 'tensor', node, shape, label: '+' };
          break;
        }
        case 'call': {
          const node = this.call(s, frame, shape);
          if (node) {
            reads(node);
            nodes.push(node);
            const own = this.noteChanges(frame, node, s, shape, current);
            if (frame.values) {
              current = { kind: 'tensor', node, shape: node.outputShape, label: s.name?.text ?? s.callee.text, spatial: own.spatial ?? current?.spatial, channels: own.channels ?? current?.channels };
              if (s.name) frame.values.set(s.name.text, current);
            }
          } else current = undefined;
          shape = node?.outputShape;
          break;
        }
      }
    }
    // A block whose last statement binds an earlier value (or the input) outputs that value.
    const output = pending && frame.values ? valueId(pending, this.scope(frame)) : undefined;
    return { nodes, shape, output };
  }

  /** The block being walked, as its tensor expressions see it. */
  private scope(frame: Frame): Scope {
    return {
      source: frame.source,
      values: frame.values!,
      text: frame.source === 'file' ? this.text : preludeText,
      number: (e) => {
        const v = this.value(e, frame);
        if (v === unknown) return undefined;
        if (typeof v === 'number') return v;
        this.report(frame, 'badValue', e.span, ['value', `expected a number, got ${show(v)}`]);
        return undefined;
      },
      condition: (e) => {
        const v = this.value(e, frame);
        if (v === unknown) return undefined;
        if (typeof v === 'boolean') return v;
        this.report(frame, 'badValue', e.span, ['if', `the condition must be true or false, got ${show(v)}`]);
        return undefined;
      },
      layer: (op, args, input, span) => this.layer(op, '', { span } as CallStatement, args, frame, input),
      report: (kind, span, args, fixes, related) => this.report(frame, kind, span, args, fixes, related),
      place: (span) => this.place(frame, span),
      sizeFixes: (change) => ('statement' in change ? this.paddingFix(change as Change) : []),
      valueFix: (argument, value, suggestion) => (frame.source === 'file' ? valueFix(argument, value, suggestion, frame.callSite && { callArgs: frame.callArgs, caller: frame.prefix.slice(0, -1) }) : []),
      newId: () => `v${frame.nextId++}`,
    };
  }

  /**
   * A layer, a block, or N of either in sequence (nn.Sequential: children named `name.0 … name.N-1`).
   * The keyword arguments after `xN` go to the first child only, over the call's own.
   */
  private call(s: CallStatement, frame: Frame, input: Shape | undefined): ModelNode | undefined {
    const callee = s.callee.text;
    const name = frame.position !== undefined ? frame.prefix + frame.position++ : s.name ? frame.prefix + s.name.text : '';
    if (callee === 'sequential' && !this.blocks(callee)) return this.sequential(s, name, frame, input);
    const args = s.argList?.args ?? [];
    let unit: (name: string, args: Argument[], input: Shape | undefined) => LayerNode | BlockNode;
    let parameters: () => string[];
    if (isLayerOp(callee)) {
      unit = (n, a, x) => this.layer(callee, n, s, a, frame, x);
      parameters = () => ops[callee].params.map((p) => p.name);
    } else {
      const block = this.blocks(callee);
      if (!block || frame.chain.includes(callee) || !name) return undefined;
      if (frame.chain.length >= maxBlockDepth) {
        this.report(frame, 'tooDeep', s.span, [maxBlockDepth]);
        return undefined;
      }
      unit = (n, a, x) => this.block(block, n, s, a, frame, x);
      parameters = () => block.declaration.parameters.map((p) => p.name.text);
    }
    const first = s.stageArgs.length === 0 ? args : overridden(args, s.stageArgs, parameters());
    if (!s.repeat) return unit(name, first, input);
    const count = this.repeatCount(s.repeat, frame);
    if (count === undefined) return undefined;
    const stage: StageNode = { kind: 'stage', name, block: callee, repeat: count, children: [], ...this.place(frame, s.span), inputShape: input, params: 0n, macs: 0n };
    if (s.numbered) stage.numbered = true;
    let shape = input;
    for (let i = 0; i < count && this.layerCount <= maxLayers; i++) {
      const child = unit(name && (s.numbered ? `${name}${i + 1}` : `${name}.${i}`), i === 0 ? first : args, shape);
      stage.children.push(child);
      shape = child.outputShape;
    }
    if (this.layerCount > maxLayers) this.reportOverflow(frame, s.span);
    stage.outputShape = shape;
    stage.params = sum(stage.children, 'params');
    stage.macs = sum(stage.children, 'macs');
    return stage;
  }

  /** nn.Sequential(a, b, …): each item applied in turn, named `name.0`, `name.1`, … (a stage of different layers). */
  private sequential(s: CallStatement, name: string, frame: Frame, input: Shape | undefined): StageNode | undefined {
    const items = (s.argList?.args ?? []).map(sequentialItem);
    if (items.length === 0 || items.some((item) => !item || (!isLayerOp(item.callee.text) && !this.blocks(item.callee.text)))) return undefined;
    const stage: StageNode = { kind: 'stage', name, block: 'sequential', repeat: items.length, children: [], ...this.place(frame, s.span), inputShape: input, params: 0n, macs: 0n };
    let shape = input;
    items.forEach((item, i) => {
      const child = this.call({ ...item!, name: { kind: 'identifier', text: `${s.name?.text ?? ''}.${i}`, span: item!.span } }, frame, shape) as LayerNode | BlockNode | undefined;
      if (!child) {
        shape = undefined;
        return;
      }
      if (!name) child.name = '';
      stage.children.push(child);
      shape = child.outputShape;
    });
    stage.outputShape = stage.children.length === items.length ? shape : undefined;
    stage.params = sum(stage.children, 'params');
    stage.macs = sum(stage.children, 'macs');
    return stage;
  }

  /** `x3`, or `x layers` evaluated: a whole number of at least 1 (the literal's range is checked by the name check). */
  private repeatCount(repeat: NonNullable<CallStatement['repeat']>, frame: Frame): number | undefined {
    if (!repeat.expression) return repeat.count !== undefined && repeat.count >= 1 ? repeat.count : undefined;
    const v = this.value(repeat.expression, frame);
    if (v === unknown) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.report(frame, 'badValue', repeat.expression.span, ['repeat count', `expected a whole number, got ${show(v)}`]);
      return undefined;
    }
    if (v < 1) {
      this.report(frame, 'badRepeat', repeat.span, [v]);
      return undefined;
    }
    return v;
  }

  private layer(op: LayerOp, name: string, s: CallStatement, args: Argument[], frame: Frame, input: Shape | undefined): LayerNode {
    this.layerCount++;
    const rule = ops[op];
    const values = this.bind(rule.params, args, frame, op);
    if (!values) return { kind: 'layer', op, name, weights: [], ...this.place(frame, s.span), inputShape: input, params: 0n, macs: 0n } as LayerNode;
    return this.materialize(op, name, values, input, this.place(frame, s.span), (p) => this.ruleProblem(p, s, args, rule.params, frame));
  }

  /** A layer the language builds itself (a projection's conv and BN): its arguments over the op's defaults. */
  private builtLayer(op: LayerOp, name: string, given: ArgValues, input: Shape | undefined, frame: Frame, span: Span): LayerNode {
    this.layerCount++;
    const values: ArgValues = {};
    for (const p of ops[op].params) values[p.name] = given[p.name] ?? (typeof p.default === 'function' ? p.default(values) : p.default!);
    return this.materialize(op, name, values, input, this.place(frame, span), (p) => this.report(frame, p.kind as ProblemKind, span, p.args as never));
  }

  /** Shape, weights, params and MACs of one layer, by its op's rule. */
  private materialize(op: LayerOp, name: string, values: ArgValues, input: Shape | undefined, place: { range: Span; definition?: SourceSpan }, onProblem: (p: RuleProblem) => void): LayerNode {
    const rule = ops[op];
    const node = { kind: 'layer', op, name, weights: [], ...place, inputShape: input, params: 0n, macs: 0n } as LayerNode;
    const result = rule.infer(input, values);
    if (input) node.attrs = result.attrs as never;
    result.problems.forEach(onProblem);
    node.outputShape = result.output;
    if (!result.output) return node;
    const weights = rule.weights(result.attrs as never);
    node.weights = name ? weights.map((w) => ({ key: `${name}.${w.suffix}`, shape: w.shape, kind: w.kind, dtype: w.dtype ?? 'float32' })) : [];
    node.params = weights.filter((w) => w.kind === 'parameter').reduce((total, w) => total + product(...w.shape), 0n);
    node.macs = rule.macs(result.attrs as never, result.output);
    return node;
  }

  private block(entry: BlockEntry, name: string, s: CallStatement, args: Argument[], frame: Frame, input: Shape | undefined): BlockNode {
    const declaration = entry.declaration;
    const blockName = declaration.name.kind === 'identifier' ? declaration.name.text : '';
    const env = new Map<string, Value>([
      ['in_channels', input ? input[1] : unknown],
      ['expansion', 1],
    ]);
    const inner: Frame = {
      source: entry.source,
      prefix: name + '.',
      env,
      lets: new Map(),
      blockName,
      blockInput: input,
      position: declaration.sequential ? 0 : undefined,
      callSite: frame.callSite ?? s.span,
      trail: frame.callSite ? [...frame.trail, { source: frame.source, span: s.span, message: `in block '${frame.blockName}', calling '${blockName}'` }] : [],
      chain: [...frame.chain, blockName],
      changes: {},
      callArgs: frame.source === 'file' ? callArguments(args, declaration) : undefined,
      values: new Map([['input', { kind: 'tensor', shape: input, label: 'input' }]]),
      nextId: 0,
    };
    const given = new Map<string, Value>();
    const positional = args.filter((a) => !a.name);
    positional.forEach((a, i) => {
      if (i < declaration.parameters.length) given.set(declaration.parameters[i].name.text, this.value(a.value, frame));
    });
    for (const a of args) if (a.name && !given.has(a.name.text)) given.set(a.name.text, this.value(a.value, frame));
    const argValues: BlockNode['args'] = {};
    for (const p of declaration.parameters) {
      const v = given.get(p.name.text) ?? (p.default ? this.value(p.default, inner) : unknown);
      env.set(p.name.text, v);
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') argValues[p.name.text] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) argValues[p.name.text] = v as number[];
    }
    const walked = this.walk(declaration.body.statements, inner, input);
    frame.lastBlock = { entry, expansion: env.get('expansion') ?? unknown };
    return {
      kind: 'block',
      name,
      block: blockName,
      args: argValues,
      ...(declaration.sequential ? { sequential: true } : {}),
      children: walked.nodes,
      ...(walked.output ? { output: walked.output } : {}),
      ...this.place(frame, s.span),
      inputShape: input,
      outputShape: walked.shape,
      params: sum(walked.nodes, 'params'),
      macs: sum(walked.nodes, 'macs'),
    };
  }

  /**
   * torchvision's rule: the shortcut's stride is the block's `stride` argument (1 when the block has
   * none); `+ shortcut` projects when that stride is not 1 or the main path changes the channels,
   * as `_make_layer` decides. The shortcut's output must then equal the main path's, as `out +=
   * identity` requires.
   */
  private add(written: string, span: Span, frame: Frame, main: Shape | undefined): AddNode | undefined {
    if (written !== 'shortcut' && written !== 'identity' && written !== 'projection' && written !== 'zeropad') return undefined;
    const input = frame.blockInput;
    const node: AddNode = { kind: 'add', name: frame.prefix.slice(0, -1), written, layers: [], ...this.place(frame, span), inputShape: main, shortcutInputShape: input, params: 0n, macs: 0n };
    const strideValue = frame.env.get('stride') ?? 1;
    if (!main || !input || strideValue === unknown) return node;
    if ((main.length !== 4 && main.length !== 5) || main.length !== input.length) {
      this.report(frame, 'channels', span, [`A residual add needs C×H×W feature maps (or C×T×H×W clips) on both sides, got ${dims(main)} and ${dims(input)}.`]);
      return node;
    }
    const axes = input.length - 2;
    const strides = typeof strideValue === 'number' ? new Array<number>(axes).fill(strideValue) : Array.isArray(strideValue) ? strideValue : [];
    if (strides.length !== axes || !strides.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1)) {
      this.report(frame, 'badValue', span, ['shortcut', `the block's stride must be a whole number of at least 1 or one per axis (${axes === 3 ? 'T, H, W' : 'H, W'}), got ${show(strideValue)}`]);
      return node;
    }
    const stride = strides as number[];
    const strided = stride.some((x) => x !== 1);
    const kind: ShortcutKind = written === 'shortcut' ? (strided || main[1] !== input[1] ? 'projection' : 'identity') : written;
    node.shortcut = kind;
    node.stride = stride;
    // A mismatch is the shortcut's: the main path's shape flows on, so later layers keep theirs.
    node.outputShape = main;
    const carried = kind === 'identity' ? input : [input[0], main[1], ...subsampled(input, stride)];
    const described = !strided || kind === 'identity' ? kind : `${kind} (stride ${formatAxes(stride)})`;
    const culprit = (c: Change | undefined) => (c ? ` ${c.detail}` : '');
    const related = (c: Change | undefined): RelatedInformation[] => (c ? [{ source: c.source, span: c.span, message: c.detail }] : []);
    if (kind === 'zeropad' && (main[1] < input[1] || (main[1] - input[1]) % 2 !== 0)) {
      this.report(frame, 'zeropad', span, [`A zeropad shortcut pads ${input[1]} channels with zeros on both sides and cannot reach ${main[1]}: it needs an even increase.`]);
      return node;
    }
    if (carried[1] !== main[1]) {
      const fix = this.shortcutFix(frame, span, written, main, input, stride);
      this.report(frame, 'addChannels', span, [formatShape(main), formatShape(carried), described, culprit(frame.changes.channels)], fix, related(frame.changes.channels));
      return node;
    }
    if (carried.some((size, axis) => axis > 1 && size !== main[axis])) {
      const fix = [...this.paddingFix(frame.changes.spatial), ...this.shortcutFix(frame, span, written, main, input, stride)];
      this.report(frame, 'addSpatial', span, [formatShape(main), formatShape(carried), described, culprit(frame.changes.spatial)], fix, related(frame.changes.spatial));
      return node;
    }
    if (kind !== 'projection') return node;
    const downsample = `${node.name}.downsample`;
    const conv = this.builtLayer('conv', `${downsample}.0`, { out: main[1], kernel: 1, stride }, input, frame, span);
    const bn = this.builtLayer('batchnorm', `${downsample}.1`, {}, conv.outputShape, frame, span);
    node.layers = [conv, bn];
    node.params = conv.params + bn.params;
    node.macs = conv.macs + bn.macs;
    return node;
  }

  /** A window that shrank the main path: the padding that keeps its size. */
  private paddingFix(change: Change | undefined): Fix[] {
    if (!change || change.source !== 'file' || change.node.kind !== 'layer' || !change.node.attrs) return [];
    const { op, attrs } = change.node;
    if (op !== 'conv' && op !== 'maxpool') return [];
    // One padding for every axis: a window that differs per axis gets no fix.
    const { kernel, dilation, padding } = attrs as { kernel: number[]; dilation: number[]; padding: number[] };
    const same = (values: number[]) => values.every((v) => v === values[0]);
    if (!same(kernel) || !same(dilation) || !same(padding)) return [];
    return paddingFix(change.statement, ops[op].params.map((p) => p.name), change.name, { kernel: kernel[0], dilation: dilation[0], padding: padding[0] });
  }

  /** `+ identity` that only a projection would fit: offer `+ shortcut`, which projects exactly where needed. */
  private shortcutFix(frame: Frame, span: Span, written: string, main: Shape, input: Shape, stride: number[]): Fix[] {
    if (frame.source !== 'file' || written !== 'identity') return [];
    if (subsampled(input, stride).some((size, axis) => size !== main[axis + 2])) return [];
    return [{ title: "Use '+ shortcut' (a 1×1 conv + BN where the shape changes)", edits: [{ span: { start: span.end - 'identity'.length, end: span.end }, newText: 'shortcut' }] }];
  }

  private preprocess(s: Extract<Statement, { kind: 'preprocess' }>, frame: Frame): PreprocessSpec | undefined {
    if (s.preset) return Object.prototype.hasOwnProperty.call(presetSpecs, s.preset.text) ? { ...presetSpecs[s.preset.text as keyof typeof presetSpecs], preset: s.preset.text, range: s.span } : undefined;
    const spec: PreprocessSpec = { grayscale: false, mean: [], std: [], range: s.span };
    for (const step of s.steps ?? []) {
      const args = step.argList?.args ?? [];
      const numbers = (what: string) => {
        const values = args.map((a) => this.value(a.value, frame));
        if (values.includes(unknown)) return undefined;
        if (values.length < 1 || values.length > 2 || !values.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= maxInputSize)) {
          this.report(frame, 'badValue', step.span, [what, 'give one size (or height, width) in pixels']);
          return undefined;
        }
        return values as number[];
      };
      switch (step.callee.text) {
        case 'grayscale':
          spec.grayscale = true;
          break;
        case 'resize': {
          const v = numbers('resize');
          if (v) spec.resize = v.length === 1 ? v[0] : [v[0], v[1]];
          break;
        }
        case 'center_crop': {
          const v = numbers('center_crop');
          if (v) spec.centerCrop = [v[0], v[1] ?? v[0]];
          break;
        }
        case 'normalize':
          for (const a of args) {
            const key = a.name?.text;
            const v = this.value(a.value, frame);
            if (key !== 'mean' && key !== 'std') {
              this.report(frame, 'badValue', a.span, ['normalize', 'write normalize(mean=[…], std=[…])']);
            } else if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || v.length === 0) {
              if (v !== unknown) this.report(frame, 'badValue', a.value.span, [key, 'a list of numbers, one per channel']);
            } else if (key === 'std' && v.some((x) => x === 0)) {
              this.report(frame, 'badValue', a.value.span, ['std', 'must not contain 0']);
            } else spec[key] = v as number[];
          }
          break;
      }
    }
    return spec;
  }

  private checkPreprocessChannels(spec: PreprocessSpec, channels: number, declaration: NetworkDeclaration, frame: Frame): void {
    const statement = declaration.body.statements.find((s) => s.kind === 'preprocess');
    if (!statement) return;
    for (const key of ['mean', 'std'] as const) {
      const n = spec[key].length;
      if (n !== 0 && n !== 1 && n !== channels) this.report(frame, 'badValue', statement.span, [key, `${n} values for an input of ${channels} channels`]);
    }
  }

  /** Evaluates and checks the arguments of a layer; undefined when any is unknown or invalid. */
  private bind(params: ParamSpec[], args: Argument[], frame: Frame, op: string): ArgValues | undefined {
    // The argument each parameter takes: positional ones in order, then keywords (the first wins).
    const given: (Argument | undefined)[] = new Array(params.length);
    let positional = 0;
    // An argument the layer does not take (reported by the name check) leaves its intent unknown.
    let complete = true;
    for (const a of args) {
      if (!a.name) {
        if (positional < params.length) given[positional] = a;
        positional++;
      }
    }
    for (const a of args) {
      if (!a.name) continue;
      const index = params.findIndex((p) => p.name === a.name!.text);
      if (index >= 0) given[index] ??= a;
      else {
        complete = false;
        this.value(a.value, frame); // for the problems of its expression
      }
    }
    const values: ArgValues = {};
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const arg = given[i];
      if (!arg) {
        if (p.default === undefined) complete = false;
        else values[p.name] = typeof p.default === 'function' ? p.default(values) : p.default;
        continue;
      }
      const v = this.check(p, this.value(arg.value, frame), arg, frame, op);
      if (v === undefined) complete = false;
      else values[p.name] = v;
    }
    return complete ? values : undefined;
  }

  private check(p: ParamSpec, v: Value, arg: Argument, frame: Frame, op: string): number | boolean | number[] | undefined {
    if (v === unknown) return undefined;
    const what = () => `${op} ${p.name}`;
    if (p.kind === 'axes' && Array.isArray(v)) {
      if (v.length === 0) {
        this.report(frame, 'badValue', arg.value.span, [what(), 'expected a number or one number per axis, got ()']);
        return undefined;
      }
      const values: number[] = [];
      for (const item of v) {
        const checked = this.check({ ...p, kind: 'int' }, item, arg, frame, op);
        if (checked === undefined) return undefined;
        values.push(checked as number);
      }
      return values;
    }
    if (p.kind === 'bool') {
      if (typeof v === 'boolean') return v;
      this.report(frame, 'badValue', arg.value.span, [what(), `expected true or false, got ${show(v)}`]);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.report(frame, 'badValue', arg.value.span, [what(), `expected a number, got ${show(v)}`]);
      return undefined;
    }
    if ((p.kind === 'int' || p.kind === 'axes') && !Number.isInteger(v)) {
      this.report(frame, 'notInteger', arg.value.span, [what(), show(v)], this.floorDivisionFix(arg.value, frame));
      return undefined;
    }
    if (p.max !== undefined && v > p.max) {
      this.report(frame, 'outOfRange', arg.value.span, [what(), show(v), show(p.max)]);
      return undefined;
    }
    if (p.min !== undefined && v < p.min) {
      this.report(frame, 'badValue', arg.value.span, [what(), `must be at least ${p.min}, got ${show(v)}`]);
      return undefined;
    }
    return v;
  }

  /** For a width that is not whole: offer '//' in the expression (or in the let it names) that divides. */
  private floorDivisionFix(e: Expression, frame: Frame): Fix[] {
    if (frame.source !== 'file') return [];
    const target = e.kind === 'name' ? frame.lets.get(e.name) : e;
    const division = target && findDivision(target);
    if (!division) return [];
    const text = this.text.slice(division.left.span.end, division.right.span.start);
    return [{ title: "Round down with '//'", edits: [{ span: { start: division.left.span.end, end: division.right.span.start }, newText: text.replace('/', '//') }] }];
  }

  private ruleProblem(p: RuleProblem, s: CallStatement, args: Argument[], params: ParamSpec[], frame: Frame): void {
    const written = (name: string | undefined) => (name === undefined ? undefined : (args.find((a) => a.name?.text === name) ?? args.filter((a) => !a.name)[params.findIndex((q) => q.name === name)]));
    const block = frame.callSite && { callArgs: frame.callArgs, caller: frame.prefix.slice(0, -1) };
    const arg = written(p.argument);
    let fixes: Fix[] = arg && p.suggestion !== undefined && frame.source === 'file' ? valueFix(p.argument!, arg.value, p.suggestion, block) : [];
    const siblings = (p.alsoSuggest ?? []).flatMap((also) => {
      const sibling = written(also.argument);
      return sibling ? [valueFix(also.argument, sibling.value, also.suggestion, block)[0]] : [];
    });
    if (siblings.length > 0) {
      fixes = siblings.every((f) => f !== undefined)
        ? fixes.map((f) => ({ title: `${[f.title, ...siblings.map((g) => g!.title.replace(/^Change /, ''))].join(', ')} (frame by frame)`, edits: [...f.edits, ...siblings.flatMap((g) => g!.edits)] }))
        : [];
    }
    // A classifier that receives too few features after a block that forgot its expansion: fix the block; the classifier only if that fails.
    const cause = p.kind === 'linearInput' && fixes.length > 0 ? expansionFix(frame.lastBlock?.entry, frame.lastBlock?.expansion, this.text) : [];
    if (cause.length > 0) fixes = [...cause, ...fixes.map((f) => ({ ...f, symptom: true }))];
    this.report(frame, p.kind as ProblemKind, arg?.span ?? s.span, p.args as never, fixes);
  }

  /** Notes what the statement changed (for the residual add's message) and returns those changes, each after `input`'s. */
  private noteChanges(frame: Frame, node: ModelNode, s: CallStatement, input: Shape | undefined, value: TensorValue | undefined): { spatial?: Change; channels?: Change } {
    const output = node.outputShape;
    const own: { spatial?: Change; channels?: Change } = {};
    if (!input || !output || input.length < 4 || output.length !== input.length) return own;
    const who = node.name.slice(frame.prefix.length) || s.callee.text;
    if (input[1] !== output[1]) frame.changes.channels = own.channels = { name: who, detail: `'${who}' changed the channels ${input[1]} → ${output[1]}.`, span: s.span, source: frame.source, statement: s, node, before: value?.channels };
    if (input.some((size, axis) => axis > 1 && size !== output[axis])) {
      const stride = node.kind === 'layer' && node.attrs && 'stride' in node.attrs ? ` (stride ${formatAxes(node.attrs.stride)})` : '';
      frame.changes.spatial = own.spatial = { name: who, detail: `'${who}'${stride} changed the size ${formatDims(input.slice(2))} → ${formatDims(output.slice(2))}.`, span: s.span, source: frame.source, statement: s, node, before: value?.spatial };
    }
    return own;
  }

  private value(e: Expression, frame: Frame): Value {
    if (e.kind === 'number') return e.value; // most arguments: no evaluator needed
    const lookup = (name: string, span?: Span) => {
      const v = frame.env.get(name);
      if (v === undefined && frame.values?.has(name) && span) {
        this.report(frame, 'tensorExpression', span, [`'${name}' is a tensor where a number is expected.`]);
        return unknown;
      }
      return v;
    };
    return evaluate(e, lookup, (error) => {
      if (error.kind === 'divisionByZero') this.report(frame, 'divisionByZero', error.span, []);
      else this.report(frame, 'badValue', error.span, ['value', error.detail]);
    });
  }

  private place(frame: Frame, span: Span): { range: Span; definition?: SourceSpan } {
    if (!frame.callSite) return { range: span };
    return { range: frame.callSite, definition: { source: frame.source, span } };
  }

  private reportOverflow(frame: Frame, span: Span): void {
    if (this.overflowReported) return;
    this.overflowReported = true;
    this.report(frame, 'tooLarge', span, [maxLayers]);
  }

  private report<K extends ProblemKind>(frame: Frame, kind: K, span: Span, args: Parameters<typeof problem<K>>[2], fixes: Fix[] = [], related: RelatedInformation[] = []): void {
    if (!frame.callSite) {
      this.problems.push(problem(kind, span, args, { fixes, related }));
      return;
    }
    const here: RelatedInformation = { source: frame.source, span, message: `in block '${frame.blockName}'` };
    this.problems.push(problem(kind, frame.callSite, args, { fixes: frame.source === 'file' ? fixes : [], related: [...frame.trail, here, ...related] }));
    if (frame.source === 'file') this.blockSites.note(problem(kind, span, args, { fixes, related }), frame.prefix.slice(0, -1), frame.callSite);
  }
}

/** The call's arguments with those the stage arguments name replaced by them; positional ones are named by their parameter. */
function overridden(args: Argument[], stageArgs: Argument[], parameters: string[]): Argument[] {
  const named = new Set(stageArgs.map((a) => a.name?.text));
  let position = 0;
  const keyed = args.map((a) => {
    if (a.name || position >= parameters.length) return a;
    return { ...a, name: { kind: 'identifier' as const, text: parameters[position++], span: a.value.span } };
  });
  return [...keyed.filter((a) => !a.name || !named.has(a.name.text)), ...stageArgs];
}

function inputProblem(values: number[]): string | undefined {
  if (values.length !== 3 && values.length !== 4) return `three or four sizes, got ${values.length}`;
  if (!values.every((v) => Number.isInteger(v) && v >= 1)) return 'each size a whole number of at least 1';
  if (values[0] > maxChannels) return `at most ${maxChannels} channels`;
  if (values.slice(1).some((v) => v > maxInputSize)) return `${values.length === 4 ? 'frames, height and width' : 'height and width'} at most ${maxInputSize}`;
  return undefined;
}

/** The spatial sizes of `input` after taking every stride-th position along each axis (a strided 1×1 conv). */
function subsampled(input: Shape, stride: number[]): number[] {
  return input.slice(2).map((size, axis) => Math.floor((size - 1) / stride[axis]) + 1);
}

function findDivision(e: Expression): Extract<Expression, { kind: 'binary' }> | undefined {
  if (e.kind === 'binary') return e.operator === '/' ? e : (findDivision(e.left) ?? findDivision(e.right));
  if (e.kind === 'paren') return findDivision(e.inner);
  if (e.kind === 'unary') return findDivision(e.operand);
  return undefined;
}


function sum(nodes: ModelNode[], key: 'params' | 'macs'): bigint {
  return nodes.reduce((total, n) => total + n[key], 0n);
}
