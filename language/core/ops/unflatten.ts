// F features back to an F×1×1 map (CBAM's `.unsqueeze(2).unsqueeze(3)`), so it multiplies a C×H×W map channel-wise.

import { dims, type OpDefinition, type RuleProblem } from './op';

export const unflatten: OpDefinition<'unflatten'> = {
  doc: 'F features to an F×1×1 map.',
  params: [],
  hasWeights: false,
  infer(input) {
    const problems: RuleProblem[] = [];
    if (!input) return { attrs: {}, problems };
    if (input.length !== 2) {
      problems.push({ kind: 'channels', args: [`unflatten needs features (F), got ${dims(input)}.`] });
      return { attrs: {}, problems };
    }
    return { attrs: {}, output: [1, input[1], 1, 1], problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower: (emit, _layer, x, name) => emit.node(name, 'Unsqueeze', [x, emit.constant(`${name}.axes`, [2], new BigInt64Array([2n, 3n]))]),
  torch: { functional: (x) => `${x}[:, :, None, None]` },
};
