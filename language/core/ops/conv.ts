// nn.Conv2d on a feature map, nn.Conv3d on a clip (the same keys): weight [out, in/groups, …kernel], optional bias.

import { attr, axes, bool, int, maxChannels, needsMap, perAxis, product, pyCall, weightOf, withChannels, type OpDefinition, type RuleProblem } from './op';
import { windowed } from './window';
import type { ConvAttrs } from '../model';

export const conv: OpDefinition<'conv'> = {
  doc: 'Convolution: 2-D on a C×H×W feature map, 3-D on a C×T×H×W clip (weights `weight`, optional `bias`).',
  params: [
    int('out', 'output channels', undefined, 1, maxChannels),
    axes('kernel', 'kernel size (or one per axis, e.g. (1, 7))', 3),
    axes('stride', 'stride (or one per axis)', 1),
    axes('padding', 'zero padding on each side (or one per axis)', 0, 0),
    axes('dilation', 'spacing between kernel taps (or one per axis)', 1),
    int('groups', 'blocked connections from input to output channels', 1, 1, maxChannels),
    bool('bias', 'adds a learnable bias', false),
  ],
  hasWeights: true,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { in_channels: input?.[1] ?? 0, out_channels: a.out as number, kernel: [], stride: [], padding: [], dilation: [], groups: a.groups as number, bias: a.bias as boolean } as ConvAttrs;
    if (!input || !needsMap('conv', input, problems)) return { attrs, problems };
    for (const key of ['kernel', 'stride', 'padding', 'dilation'] as const) {
      const values = perAxis('conv', key, a[key], input, problems, a);
      if (!values) return { attrs, problems };
      attrs[key] = values;
    }
    if (attrs.in_channels % attrs.groups !== 0 || attrs.out_channels % attrs.groups !== 0) {
      problems.push({ kind: 'groups', args: [attrs.groups, attrs.in_channels, attrs.out_channels], argument: 'groups', suggestion: nearestDivisor(gcd(attrs.in_channels, attrs.out_channels), attrs.groups) });
      return { attrs, problems };
    }
    const output = windowed('conv', input, attrs, false, problems);
    return { attrs, output: output && withChannels(output, attrs.out_channels), problems };
  },
  weights: (c) => [
    { suffix: 'weight', shape: [c.out_channels, c.in_channels / c.groups].concat(c.kernel), kind: 'parameter' },
    ...(c.bias ? [{ suffix: 'bias', shape: [c.out_channels], kind: 'parameter' as const }] : []),
  ],
  macs: (c, out) => product(...out.slice(1), c.in_channels / c.groups, ...c.kernel),
  lower(emit, layer, x, name) {
    const a = layer.attrs;
    const inputs = [x, emit.weight(weightOf(layer, 'weight'))];
    if (a.bias) inputs.push(emit.weight(weightOf(layer, 'bias')));
    return emit.node(name, 'Conv', inputs, [
      attr.ints('dilations', a.dilation),
      attr.int('group', a.groups),
      attr.ints('kernel_shape', a.kernel),
      attr.ints('pads', [...a.padding, ...a.padding]),
      attr.ints('strides', a.stride),
    ]);
  },
  torch: {
    module: ({ attrs: a }) =>
      pyCall(`nn.Conv${a.kernel.length}d`, [a.in_channels, a.out_channels], [
        ['kernel_size', a.kernel],
        ['stride', a.stride, 1],
        ['padding', a.padding, 0],
        ['dilation', a.dilation, 1],
        ['groups', a.groups, 1],
        ['bias', a.bias, true],
      ]),
  },
};

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The divisor of `n` closest to what was written (the smaller on a tie): the least change that divides. */
function nearestDivisor(n: number, wanted: number): number {
  let best = 1;
  for (let d = 1; d <= n; d++) if (n % d === 0 && Math.abs(d - wanted) < Math.abs(best - wanted)) best = d;
  return best;
}
