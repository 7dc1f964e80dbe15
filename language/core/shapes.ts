// One rule per layer op: its parameters, the shape it produces, its weights, params and MACs.
// Shapes are [N, C, H, W] or [N, F]; N is 1.

import type { AttrsByOp, LayerOp, Shape, WeightSpec } from './model';

export type ParamKind = 'int' | 'number' | 'bool' | 'list';

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  /** Undefined: required. A function: derived from other arguments (maxpool's stride = kernel). */
  default?: number | boolean | ((args: Record<string, unknown>) => number);
  min?: number;
  max?: number;
}

export type ArgValues = Record<string, number | boolean | number[]>;

/** A problem found by a rule; `argument` names the argument to blame (and to fix) when there is one. */
export interface RuleProblem {
  kind: 'groups' | 'collapsed' | 'strideDrops' | 'linearInput' | 'channels';
  args: unknown[];
  argument?: string;
  /** For groups: a value that would work. */
  suggestion?: number;
}

export interface RuleResult<Op extends LayerOp> {
  attrs: AttrsByOp[Op];
  output?: Shape;
  problems: RuleProblem[];
}

export interface OpRule<Op extends LayerOp> {
  params: ParamSpec[];
  hasWeights: boolean;
  /** Returns undefined output when the input shape is unknown. */
  infer(input: Shape | undefined, args: ArgValues): RuleResult<Op>;
  weights(attrs: AttrsByOp[Op]): { suffix: string; shape: number[]; kind: WeightSpec['kind']; dtype?: WeightSpec['dtype'] }[];
  macs(attrs: AttrsByOp[Op], output: Shape): number;
}

export const maxChannels = 1 << 20;
const maxWindow = 4096;

const int = (name: string, defaultValue?: ParamSpec['default'], min = 1, max = maxWindow): ParamSpec => ({ name, kind: 'int', default: defaultValue, min, max });
const num = (name: string, defaultValue?: number, min?: number, max?: number): ParamSpec => ({ name, kind: 'number', default: defaultValue, min, max });
const bool = (name: string, defaultValue: boolean): ParamSpec => ({ name, kind: 'bool', default: defaultValue });

export const dims = (s: Shape) => s.slice(1).join('×');
const isMap = (s: Shape) => s.length === 4;

function windowed(op: string, input: Shape, kernel: number, stride: number, padding: number, dilation: number, ceil: boolean, problems: RuleProblem[]): Shape | undefined {
  const out = (size: number) => {
    const span = size + 2 * padding - dilation * (kernel - 1) - 1;
    let n = Math.floor((ceil ? span + stride - 1 : span) / stride) + 1;
    // PyTorch: with ceil_mode the last window must start inside the input or left padding.
    if (ceil && (n - 1) * stride >= size + padding) n--;
    return n;
  };
  const h = out(input[2]);
  const w = out(input[3]);
  const output = [input[0], input[1], h, w];
  if (h < 1 || w < 1) {
    problems.push({ kind: 'collapsed', args: [op, dims(input), `${h}×${w}`] });
    return undefined;
  }
  for (const size of new Set([input[2], input[3]])) {
    const dropped = (size + 2 * padding - dilation * (kernel - 1) - 1) % stride;
    if (!ceil && size % 2 === 1 && dropped > padding) {
      problems.push({ kind: 'strideDrops', args: [op, size, dropped - padding, stride], argument: 'stride' });
      break;
    }
  }
  return output;
}

function needsMap(op: string, input: Shape, problems: RuleProblem[]): boolean {
  if (isMap(input)) return true;
  problems.push({ kind: 'channels', args: [`${op} needs a C×H×W feature map, got ${dims(input)}.`] });
  return false;
}

const elementwise = <Op extends 'relu' | 'relu6' | 'sigmoid' | 'dropout' | 'leaky_relu'>(attrs: (args: ArgValues) => AttrsByOp[Op], params: ParamSpec[] = []): OpRule<Op> => ({
  params,
  hasWeights: false,
  infer: (input, args) => ({ attrs: attrs(args), output: input, problems: [] }),
  weights: () => [],
  macs: () => 0,
});

const none = () => ({}) as Record<string, never>;

export const rules: { [Op in LayerOp]: OpRule<Op> } = {
  conv: {
    params: [int('out', undefined, 1, maxChannels), int('kernel', 3), int('stride', 1), int('padding', 0, 0), int('dilation', 1), int('groups', 1, 1, maxChannels), bool('bias', false)],
    hasWeights: true,
    infer(input, a) {
      const problems: RuleProblem[] = [];
      const attrs = {
        in_channels: input?.[1] ?? 0,
        out_channels: a.out as number,
        kernel: a.kernel as number,
        stride: a.stride as number,
        padding: a.padding as number,
        dilation: a.dilation as number,
        groups: a.groups as number,
        bias: a.bias as boolean,
      };
      if (!input || !needsMap('conv', input, problems)) return { attrs, problems };
      if (attrs.in_channels % attrs.groups !== 0 || attrs.out_channels % attrs.groups !== 0) {
        problems.push({ kind: 'groups', args: [attrs.groups, attrs.in_channels, attrs.out_channels], argument: 'groups', suggestion: gcd(attrs.in_channels, attrs.out_channels) });
        return { attrs, problems };
      }
      const output = windowed('conv', input, attrs.kernel, attrs.stride, attrs.padding, attrs.dilation, false, problems);
      return { attrs, output: output && [1, attrs.out_channels, output[2], output[3]], problems };
    },
    weights: (c) => [
      { suffix: 'weight', shape: [c.out_channels, c.in_channels / c.groups, c.kernel, c.kernel], kind: 'parameter' },
      ...(c.bias ? [{ suffix: 'bias', shape: [c.out_channels], kind: 'parameter' as const }] : []),
    ],
    macs: (c, out) => out[1] * out[2] * out[3] * (c.in_channels / c.groups) * c.kernel * c.kernel,
  },
  batchnorm: {
    params: [num('eps', 1e-5, 0, 1)],
    hasWeights: true,
    infer(input, a) {
      const problems: RuleProblem[] = [];
      const attrs = { num_features: input?.[1] ?? 0, eps: a.eps as number };
      if (!input || !needsMap('batchnorm', input, problems)) return { attrs, problems };
      return { attrs, output: input, problems };
    },
    weights: (b) => [
      { suffix: 'weight', shape: [b.num_features], kind: 'parameter' },
      { suffix: 'bias', shape: [b.num_features], kind: 'parameter' },
      { suffix: 'running_mean', shape: [b.num_features], kind: 'buffer' },
      { suffix: 'running_var', shape: [b.num_features], kind: 'buffer' },
      { suffix: 'num_batches_tracked', shape: [], kind: 'buffer', dtype: 'int64' },
    ],
    macs: () => 0,
  },
  relu: elementwise<'relu'>(none),
  relu6: elementwise<'relu6'>(none),
  sigmoid: elementwise<'sigmoid'>(none),
  leaky_relu: elementwise<'leaky_relu'>((a) => ({ negative_slope: a.slope as number }), [num('slope', 0.01, 0, 1)]),
  dropout: elementwise<'dropout'>((a) => ({ p: a.p as number }), [num('p', 0.5, 0, 1)]),
  maxpool: {
    params: [int('kernel'), int('stride', (a) => a.kernel as number), int('padding', 0, 0), int('dilation', 1), bool('ceil', false)],
    hasWeights: false,
    infer(input, a) {
      const problems: RuleProblem[] = [];
      const attrs = { kernel: a.kernel as number, stride: a.stride as number, padding: a.padding as number, dilation: a.dilation as number, ceil_mode: a.ceil as boolean };
      if (!input || !needsMap('maxpool', input, problems)) return { attrs, problems };
      if (attrs.padding * 2 > attrs.kernel) {
        problems.push({ kind: 'channels', args: [`maxpool padding (${attrs.padding}) must be at most half the kernel (${attrs.kernel}).`], argument: 'padding' });
        return { attrs, problems };
      }
      return { attrs, output: windowed('maxpool', input, attrs.kernel, attrs.stride, attrs.padding, attrs.dilation, attrs.ceil_mode, problems), problems };
    },
    weights: () => [],
    macs: () => 0,
  },
  avgpool: {
    params: [int('output', 1, 1, maxWindow)],
    hasWeights: false,
    infer(input, a) {
      const problems: RuleProblem[] = [];
      const attrs = { output: a.output as number };
      if (!input || !needsMap('avgpool', input, problems)) return { attrs, problems };
      return { attrs, output: [1, input[1], attrs.output, attrs.output], problems };
    },
    weights: () => [],
    macs: () => 0,
  },
  flatten: {
    params: [],
    hasWeights: false,
    infer: (input) => ({ attrs: {}, output: input && [1, input.slice(1).reduce((x, y) => x * y, 1)], problems: [] }),
    weights: () => [],
    macs: () => 0,
  },
  linear: {
    params: [int('out', undefined, 1, maxChannels), int('in', 0, 0, Number.MAX_SAFE_INTEGER), bool('bias', true)],
    hasWeights: true,
    infer(input, a) {
      const problems: RuleProblem[] = [];
      const attrs = { in_features: 0, out_features: a.out as number, bias: a.bias as boolean };
      if (!input) return { attrs, problems };
      if (input.length === 4 && (input[2] !== 1 || input[3] !== 1)) {
        problems.push({ kind: 'linearInput', args: [`linear needs flat features or C×1×1, got ${dims(input)}: add 'avgpool' (or 'flatten') before it.`] });
        return { attrs, problems };
      }
      attrs.in_features = input[1];
      const declared = a.in as number;
      if (declared !== 0 && declared !== attrs.in_features) {
        problems.push({ kind: 'linearInput', args: [`linear declares in=${declared} but receives ${attrs.in_features} features.`], argument: 'in', suggestion: attrs.in_features });
      }
      return { attrs, output: [1, attrs.out_features], problems };
    },
    weights: (l) => [
      { suffix: 'weight', shape: [l.out_features, l.in_features], kind: 'parameter' },
      ...(l.bias ? [{ suffix: 'bias', shape: [l.out_features], kind: 'parameter' as const }] : []),
    ],
    macs: (l) => l.in_features * l.out_features,
  },
  se: {
    params: [int('reduction', 16, 1, maxChannels)],
    hasWeights: true,
    infer(input, a) {
      const problems: RuleProblem[] = [];
      const attrs = { channels: input?.[1] ?? 0, hidden: 0 };
      if (!input || !needsMap('se', input, problems)) return { attrs, problems };
      attrs.hidden = Math.floor(attrs.channels / (a.reduction as number));
      if (attrs.hidden < 1) {
        problems.push({ kind: 'channels', args: [`se reduction ${a.reduction} leaves no channels out of ${attrs.channels}.`], argument: 'reduction' });
        return { attrs, problems };
      }
      return { attrs, output: input, problems };
    },
    weights: (s) => [
      { suffix: 'fc1.weight', shape: [s.hidden, s.channels, 1, 1], kind: 'parameter' },
      { suffix: 'fc1.bias', shape: [s.hidden], kind: 'parameter' },
      { suffix: 'fc2.weight', shape: [s.channels, s.hidden, 1, 1], kind: 'parameter' },
      { suffix: 'fc2.bias', shape: [s.channels], kind: 'parameter' },
    ],
    macs: (s) => 2 * s.channels * s.hidden,
  },
};

export const layerOps = Object.keys(rules) as LayerOp[];

export function isLayerOp(name: string): name is LayerOp {
  return Object.prototype.hasOwnProperty.call(rules, name);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
