// What defines a layer op, once: its arguments and defaults, its shape rule, weights, params, MACs,
// its ONNX and PyTorch lowerings and its documentation. Each op is one file beside this one; index.ts lists them.

import { formatShape } from '../format';
import type { AttrsByOp, LayerNode, LayerOp, MergeAttrs, Shape, WeightSpec } from '../model';

/** 'axes': a whole number for every spatial axis, or a tuple with one per axis (`kernel=(1, 7)`). */
export type ParamKind = 'int' | 'axes' | 'number' | 'bool' | 'list';

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  /** Undefined: required. A function: derived from other arguments (maxpool's stride = kernel). */
  default?: number | boolean | ((args: Record<string, unknown>) => number | number[]);
  /** How the default reads in a signature, when it is derived ('kernel'). */
  defaultText?: string;
  min?: number;
  max?: number;
  doc: string;
}

export type ArgValues = Record<string, number | boolean | number[]>;

/** A problem found by a rule; `argument` names the argument to blame (and to fix) when there is one. */
export interface RuleProblem {
  kind: 'groups' | 'collapsed' | 'strideDrops' | 'linearInput' | 'channels' | 'paddingOnly' | 'axes' | 'rank' | 'clipWindow';
  args: unknown[];
  argument?: string;
  /** A value that would work: for groups a divisor, for a per-axis tuple one of the input's rank. */
  suggestion?: number | number[];
  /** Other arguments the same fix changes: a tuple grown to a clip's rank takes its siblings frame by frame. */
  alsoSuggest?: { argument: string; suggestion: number[] }[];
}

export interface RuleResult<Op extends LayerOp> {
  attrs: AttrsByOp[Op];
  output?: Shape;
  problems: RuleProblem[];
}

export type OnnxAttribute = { name: string; int: number } | { name: string; float: number } | { name: string; ints: number[] };

/** The graph being built, as a lowering sees it (engine/onnx/build.ts implements it). */
export interface OnnxEmitter {
  /** Adds a node whose one output carries its name (made unique); returns that value. */
  node(name: string, opType: string, inputs: string[], attributes?: OnnxAttribute[]): string;
  /** The initializer for one of the layer's weights. */
  weight(spec: WeightSpec): string;
  constant(name: string, dims: number[], values: Float32Array | BigInt64Array): string;
}

/** A layer whose arguments and shapes are all known: what a lowering receives. */
export type ResolvedLayer<Op extends LayerOp> = Extract<LayerNode, { op: Op }> & { attrs: AttrsByOp[Op]; inputShape: Shape; outputShape: Shape };

export interface OpDefinition<Op extends LayerOp> {
  /** One line for completion, hover and docs. */
  doc: string;
  params: ParamSpec[];
  hasWeights: boolean;
  /** Returns undefined output when the input shape is unknown. */
  infer(input: Shape | undefined, args: ArgValues): RuleResult<Op>;
  /** The state_dict entries, as suffixes of the layer's name. */
  weights(attrs: AttrsByOp[Op]): { suffix: string; shape: number[]; kind: WeightSpec['kind']; dtype?: WeightSpec['dtype'] }[];
  macs(attrs: AttrsByOp[Op], output: Shape): bigint;
  /** ONNX nodes (opset 17) computing the layer from the value `x`; returns the output value. */
  lower(emit: OnnxEmitter, layer: ResolvedLayer<Op>, x: string, name: string): string;
  torch: TorchLowering<Op>;
}

/** A layer in PyTorch: the module `__init__` builds, and how `forward` applies it (engine/torch/export.ts writes them). */
export interface TorchLowering<Op extends LayerOp> {
  /** The constructor, e.g. `nn.Conv2d(64, 128, kernel_size=3, stride=2, padding=1, bias=False)`; undefined for a weightless op `functional` computes. */
  module?(layer: ResolvedLayer<Op>): string;
  /** For an op without a module: the expression computing it from `x` (`torch.amax(x, 1, keepdim=True)`). */
  functional?(x: string, layer: ResolvedLayer<Op>): string;
  /** The expression applying `module` to `x`, when it is more than `module(x)`. */
  apply?(module: string, x: string, layer: ResolvedLayer<Op>): string;
  /** Import statements the module needs besides `import torch` and `from torch import nn`. */
  imports?: string[];
}

/** How several values combine: what `cat`, `+` and `*` are (one file each beside this one). */
export interface MergeDefinition {
  doc: string;
  /** The output shape, or the axis (0-based, batch first) where the inputs disagree. */
  infer(inputs: Shape[]): { output: Shape; attrs: MergeAttrs } | { mismatch: number };
  lower(emit: OnnxEmitter, xs: string[], name: string, attrs: MergeAttrs): string;
  torch(xs: string[]): string;
}

export const maxChannels = 1 << 20;
export const maxWindow = 4096;

export const int = (name: string, doc: string, defaultValue?: ParamSpec['default'], min = 1, max = maxWindow): ParamSpec => ({ name, kind: 'int', default: defaultValue, min, max, doc });
export const axes = (name: string, doc: string, defaultValue?: ParamSpec['default'], min = 1, max = maxWindow): ParamSpec => ({ name, kind: 'axes', default: defaultValue, min, max, doc });
export const num = (name: string, doc: string, defaultValue?: number, min?: number, max?: number): ParamSpec => ({ name, kind: 'number', default: defaultValue, min, max, doc });
export const bool = (name: string, doc: string, defaultValue: boolean): ParamSpec => ({ name, kind: 'bool', default: defaultValue, doc });

export const attr = {
  int: (name: string, value: number): OnnxAttribute => ({ name, int: value }),
  float: (name: string, value: number): OnnxAttribute => ({ name, float: value }),
  ints: (name: string, values: number[]): OnnxAttribute => ({ name, ints: values }),
};

/** The exact product of whole numbers (a count past 2^53 stays exact). */
export function product(...factors: number[]): bigint {
  let p = 1;
  for (const f of factors) p *= f;
  // One bigint per count, not one per factor: exact in doubles when the factors are whole and the
  // result is safe, as every partial product then was (it only grows in size, unless it is 0).
  if (Number.isSafeInteger(p) && factors.every(Number.isInteger)) return BigInt(p);
  return factors.reduce((q, f) => q * BigInt(f), 1n);
}

/** `shape` with the batch of 1 and `channels`: a copy of its length (array spreads keep spare capacity, and a network keeps every shape). */
export function withChannels(shape: Shape, channels: number): Shape {
  const out = shape.slice();
  out[0] = 1;
  out[1] = channels;
  return out;
}

/** A Python call: positional arguments, then the keyword arguments that differ from their defaults. */
export function pyCall(callee: string, positional: PyValue[], keywords: [name: string, value: PyValue, fallback?: PyValue][] = []): string {
  const given = keywords.filter(([, value, fallback]) => !samePy(value, fallback)).map(([name, value]) => `${name}=${pyValue(value)}`);
  return `${callee}(${[...positional.map(pyValue), ...given].join(', ')})`;
}

/** A per-axis value is written as one number when all axes agree, as PyTorch accepts it. */
type PyValue = number | boolean | number[];
const pyValue = (v: PyValue): string => {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return v.every((x) => x === v[0]) ? String(v[0]) : `(${v.join(', ')})`;
  return String(v);
};
const samePy = (a: PyValue, b: PyValue | undefined) => b !== undefined && pyValue(a) === pyValue(b);

/** C×H×W of a shape (the batch left out), for messages. */
export const dims = (s: Shape) => formatShape(s);

/** Ops that work on feature maps and clips alike (as nn.Conv2d / nn.Conv3d share their keys) take either. */
export function needsMap(op: string, input: Shape, problems: RuleProblem[]): boolean {
  if (input.length === 4 || input.length === 5) return true;
  problems.push({ kind: 'channels', args: [`${op} needs a C×H×W feature map or a C×T×H×W clip, got ${dims(input)}.`] });
  return false;
}

/** A 2-D op: a clip is a rank problem, anything else flat a channel problem. */
export function needsImageMap(op: string, input: Shape, problems: RuleProblem[]): boolean {
  if (input.length === 4) return true;
  if (input.length === 5) problems.push({ kind: 'rank', args: [`${op} is a 2-D op: it needs a C×H×W feature map, got the clip ${dims(input)} (C×T×H×W).`] });
  else problems.push({ kind: 'channels', args: [`${op} needs a C×H×W feature map, got ${dims(input)}.`] });
  return false;
}

/**
 * A reduction over the channels kept as one channel: C×H×W to 1×H×W, C×T×H×W to 1×T×H×W (CBAM's
 * ChannelPool). `onnx` is the Reduce op, `torch` the function of torch that computes it.
 */
export function channelReduction<Op extends 'channel_mean' | 'channel_max'>(op: Op, doc: string, onnx: string, torch: string): OpDefinition<Op> {
  return {
    doc,
    params: [],
    hasWeights: false,
    infer(input) {
      const problems: RuleProblem[] = [];
      if (!input || !needsMap(op, input, problems)) return { attrs: {} as AttrsByOp[Op], problems };
      return { attrs: {} as AttrsByOp[Op], output: [1, 1, ...input.slice(2)], problems };
    },
    weights: () => [],
    macs: () => 0n,
    lower: (emit, _layer, x, name) => emit.node(name, onnx, [x], [attr.ints('axes', [1]), attr.int('keepdims', 1)]),
    torch: { functional: (x) => `${torch}(${x}, 1, keepdim=True)` },
  };
}

/** The spatial axes of a map or clip, for messages: 'H, W' or 'T, H, W'. */
export const axisNames = (rank: number) => (rank === 5 ? 'T, H, W' : 'H, W');

/**
 * A per-axis argument spread over the input's spatial axes: one number for all of them, or a tuple
 * with exactly one per axis (else an `axes` problem blaming the argument).
 */
export function perAxis(op: string, name: string, value: number | boolean | number[], input: Shape, problems: RuleProblem[], siblings?: ArgValues): number[] | undefined {
  const count = input.length - 2;
  if (!Array.isArray(value)) return sameOnEveryAxis(count, value as number);
  if (value.length === count) return value;
  const what = input.length === 5 ? 'a C×T×H×W clip' : 'a C×H×W feature map';
  const grown = name === 'kernel' && value.length > 1 && value.length < count && siblings ? frameByFrame(siblings, value.length, count) : undefined;
  problems.push({ kind: 'axes', args: [`${op} ${name}=(${value.join(', ')}) has ${value.length} value${value.length === 1 ? '' : 's'}, but on ${what} it takes one number or ${count} (${axisNames(input.length)}).`], argument: name, suggestion: fitAxes(name, value, count), alsoSuggest: grown });
  return undefined;
}

const neutralOf = (name: string) => (name === 'padding' ? 0 : 1);

/**
 * A tuple of another rank made to fit: the spatial axes are the last ones, so a longer tuple keeps
 * its last `count` values (a clip's (1, 3, 3) is (3, 3) on a feature map) and a shorter one gets
 * leading axes that leave them alone (a feature map's (3, 3) is (1, 3, 3) on a clip: frame by frame).
 * A one-value tuple is its number.
 */
function fitAxes(name: string, value: number[], count: number): number | number[] {
  if (value.length === 1) return value[0];
  if (value.length > count) return value.slice(value.length - count);
  return [...new Array<number>(count - value.length).fill(neutralOf(name)), ...value];
}

/**
 * A kernel grown frame by frame ((3, 3) → (1, 3, 3)) would still stride, pad or dilate the frames by
 * a number written for all axes: those become tuples that leave the added axes alone too, as
 * torchvision's (1, 3, 3) convs are written with stride (1, s, s) and padding (0, p, p).
 */
function frameByFrame(siblings: ArgValues, written: number, count: number): { argument: string; suggestion: number[] }[] {
  const grown: { argument: string; suggestion: number[] }[] = [];
  for (const name of ['stride', 'padding', 'dilation']) {
    const value = siblings[name];
    const neutral = neutralOf(name);
    if (typeof value === 'number' && value !== neutral) grown.push({ argument: name, suggestion: [...new Array<number>(count - written).fill(neutral), ...new Array<number>(written).fill(value)] });
    else if (Array.isArray(value) && value.length === written) grown.push({ argument: name, suggestion: fitAxes(name, value, count) as number[] });
  }
  return grown;
}

const sameOnEveryAxisMade = new Map<number, number[]>();

/**
 * [value, value] or [value, value, value]: one frozen array per (axes, value), shared by every layer
 * that writes that number (a large network keeps four per conv otherwise).
 */
function sameOnEveryAxis(count: number, value: number): number[] {
  const key = (count === 2 || count === 3) && Number.isInteger(value) ? value * 4 + count : undefined;
  const made = key === undefined ? undefined : sameOnEveryAxisMade.get(key);
  if (made) return made;
  const values = Object.freeze(new Array<number>(count).fill(value)) as number[];
  if (key !== undefined) sameOnEveryAxisMade.set(key, values);
  return values;
}

/** The layer's weight with this suffix (its key and shape come from the op's weights()). */
export function weightOf(layer: LayerNode, suffix: string): WeightSpec {
  const spec = layer.weights.find((w) => w.key.endsWith(`.${suffix}`));
  if (!spec) throw new Error(`${layer.name} has no weight ${suffix}`);
  return spec;
}

/** An op without weights that keeps its input's shape. */
export function elementwise<Op extends 'relu' | 'relu6' | 'sigmoid' | 'dropout' | 'leaky_relu'>(
  doc: string,
  attrs: (args: ArgValues) => AttrsByOp[Op],
  lower: OpDefinition<Op>['lower'],
  torch: TorchLowering<Op>,
  params: ParamSpec[] = [],
): OpDefinition<Op> {
  return { doc, params, hasWeights: false, infer: (input, args) => ({ attrs: attrs(args), output: input, problems: [] }), weights: () => [], macs: () => 0n, lower, torch };
}
