// nn.Conv2d: weight [out, in/groups, k, k], optional bias.

import { attr, bool, int, maxChannels, needsMap, product, pyCall, weightOf, type OpDefinition, type RuleProblem } from './op';
import { windowed } from './window';

export const conv: OpDefinition<'conv'> = {
  doc: '2-D convolution (weights `weight`, optional `bias`).',
  params: [
    int('out', 'output channels', undefined, 1, maxChannels),
    int('kernel', 'kernel size', 3),
    int('stride', 'stride', 1),
    int('padding', 'zero padding on each side', 0, 0),
    int('dilation', 'spacing between kernel taps', 1),
    int('groups', 'blocked connections from input to output channels', 1, 1, maxChannels),
    bool('bias', 'adds a learnable bias', false),
  ],
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
      problems.push({ kind: 'groups', args: [attrs.groups, attrs.in_channels, attrs.out_channels], argument: 'groups', suggestion: nearestDivisor(gcd(attrs.in_channels, attrs.out_channels), attrs.groups) });
      return { attrs, problems };
    }
    const output = windowed('conv', input, attrs, false, problems);
    return { attrs, output: output && [1, attrs.out_channels, output[2], output[3]], problems };
  },
  weights: (c) => [
    { suffix: 'weight', shape: [c.out_channels, c.in_channels / c.groups, c.kernel, c.kernel], kind: 'parameter' },
    ...(c.bias ? [{ suffix: 'bias', shape: [c.out_channels], kind: 'parameter' as const }] : []),
  ],
  macs: (c, out) => product(out[1], out[2], out[3], c.in_channels / c.groups, c.kernel, c.kernel),
  lower(emit, layer, x, name) {
    const a = layer.attrs;
    const inputs = [x, emit.weight(weightOf(layer, 'weight'))];
    if (a.bias) inputs.push(emit.weight(weightOf(layer, 'bias')));
    return emit.node(name, 'Conv', inputs, [
      attr.ints('dilations', [a.dilation, a.dilation]),
      attr.int('group', a.groups),
      attr.ints('kernel_shape', [a.kernel, a.kernel]),
      attr.ints('pads', [a.padding, a.padding, a.padding, a.padding]),
      attr.ints('strides', [a.stride, a.stride]),
    ]);
  },
  torch: {
    module: ({ attrs: a }) =>
      pyCall('nn.Conv2d', [a.in_channels, a.out_channels], [
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
