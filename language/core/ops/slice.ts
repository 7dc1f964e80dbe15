// Channels [start, end) of a map: one part of `split(x, size)` or `chunk(x, n)` (torch.split(x, size, 1)[i]).

import { int, maxChannels, needsMap, type OpDefinition, type RuleProblem } from './op';

export const slice: OpDefinition<'slice'> = {
  doc: 'The channels `start` … `end` − 1 (what `split(x, size)[i]` and `chunk(x, n)[i]` read).',
  params: [int('start', 'first channel', undefined, 0, maxChannels), int('end', 'one past the last channel', undefined, 1, maxChannels)],
  hasWeights: false,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { start: a.start as number, end: a.end as number };
    if (!input || !needsMap('slice', input, problems)) return { attrs, problems };
    if (attrs.start >= attrs.end || attrs.end > input[1]) {
      problems.push({ kind: 'channels', args: [`slice ${attrs.start}…${attrs.end} is not inside the ${input[1]} channels.`], argument: 'end' });
      return { attrs, problems };
    }
    return { attrs, output: [1, attrs.end - attrs.start, ...input.slice(2)], problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const i64 = (label: string, v: number) => emit.constant(`${name}.${label}`, [1], new BigInt64Array([BigInt(v)]));
    return emit.node(name, 'Slice', [x, i64('starts', layer.attrs.start), i64('ends', layer.attrs.end), i64('axes', 1)]);
  },
  torch: { functional: (x, layer) => `${x}[:, ${layer.attrs.start}:${layer.attrs.end}]` },
};
