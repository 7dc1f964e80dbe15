// nn.AdaptiveAvgPool2d: output × output bins, bin i covering [⌊i·H/out⌋, ⌈(i+1)·H/out⌉).

import { attr, int, maxWindow, needsMap, pyCall, type OnnxEmitter, type OpDefinition, type RuleProblem } from './op';

export const avgpool: OpDefinition<'avgpool'> = {
  doc: 'Adaptive average pooling to `output`×`output` (1 by default).',
  params: [int('output', 'output height and width', 1, 1, maxWindow)],
  hasWeights: false,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { output: a.output as number };
    if (!input || !needsMap('avgpool', input, problems)) return { attrs, problems };
    return { attrs, output: [1, input[1], attrs.output, attrs.output], problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const { output } = layer.attrs;
    const [, , height, width] = layer.inputShape;
    if (output === 1) return emit.node(name, 'GlobalAveragePool', [x]);
    if (height % output === 0 && width % output === 0) {
      const kernel = [height / output, width / output];
      return emit.node(name, 'AveragePool', [x], [attr.ints('kernel_shape', kernel), attr.ints('strides', kernel)]);
    }
    // Bins of unequal, overlapping sizes: out = P_h · x · P_wᵀ with each row of P averaging one bin.
    const columns = emit.node(`${name}.columns`, 'MatMul', [x, binMatrix(emit, `${name}.pool_w`, width, output, true)]);
    return emit.node(name, 'MatMul', [binMatrix(emit, `${name}.pool_h`, height, output, false), columns]);
  },
  torch: { module: (layer) => pyCall('nn.AdaptiveAvgPool2d', [layer.attrs.output]) },
};

/** [output, size] (or its transpose) with 1/|bin| over each adaptive bin. */
function binMatrix(emit: OnnxEmitter, name: string, size: number, output: number, transposed: boolean): string {
  const values = new Float32Array(output * size);
  for (let i = 0; i < output; i++) {
    const start = Math.floor((i * size) / output);
    const end = Math.ceil(((i + 1) * size) / output);
    for (let j = start; j < end; j++) values[transposed ? j * output + i : i * size + j] = 1 / (end - start);
  }
  return emit.constant(name, transposed ? [size, output] : [output, size], values);
}
