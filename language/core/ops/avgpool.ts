// nn.AdaptiveAvgPool2d (nn.AdaptiveAvgPool3d on a clip): along each axis, bin i covers
// [⌊i·size/out⌋, ⌈(i+1)·size/out⌉).

import { attr, axes, maxWindow, needsMap, perAxis, pyCall, type OnnxEmitter, type OpDefinition, type RuleProblem } from './op';

export const avgpool: OpDefinition<'avgpool'> = {
  doc: 'Adaptive average pooling to `output` along every spatial axis (1 by default), or one size per axis.',
  params: [axes('output', 'output size (or one per axis)', 1, 1, maxWindow)],
  hasWeights: false,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { output: [] as number[] };
    if (!input || !needsMap('avgpool', input, problems)) return { attrs, problems };
    const output = perAxis('avgpool', 'output', a.output, input, problems);
    if (!output) return { attrs, problems };
    attrs.output = output;
    return { attrs, output: [1, input[1], ...output], problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const { output } = layer.attrs;
    const sizes = layer.inputShape.slice(2);
    if (output.every((o) => o === 1)) return emit.node(name, 'GlobalAveragePool', [x]);
    if (sizes.every((size, axis) => size % output[axis] === 0)) {
      const kernel = sizes.map((size, axis) => size / output[axis]);
      return emit.node(name, 'AveragePool', [x], [attr.ints('kernel_shape', kernel), attr.ints('strides', kernel)]);
    }
    // Bins of unequal, overlapping sizes: out = P_h · x · P_wᵀ with each row of P averaging one bin.
    const [height, width] = sizes.slice(-2);
    const [outHeight, outWidth] = output.slice(-2);
    const columns = emit.node(`${name}.columns`, 'MatMul', [x, binMatrix(emit, `${name}.pool_w`, width, outWidth, true)]);
    const rows = emit.node(sizes.length === 2 ? name : `${name}.rows`, 'MatMul', [binMatrix(emit, `${name}.pool_h`, height, outHeight, false), columns]);
    if (sizes.length === 2) return rows;
    // A clip: frames are the third axis from the end; P_t · (C, T, H'·W') pools them.
    const [channels] = layer.inputShape.slice(1);
    const shape = (label: string, dims: number[]) => emit.constant(`${name}.${label}`, [dims.length], new BigInt64Array(dims.map(BigInt)));
    const flat = emit.node(`${name}.flat`, 'Reshape', [rows, shape('flat_shape', [1, channels, sizes[0], outHeight * outWidth])]);
    const frames = emit.node(`${name}.frames`, 'MatMul', [binMatrix(emit, `${name}.pool_t`, sizes[0], output[0], false), flat]);
    return emit.node(name, 'Reshape', [frames, shape('shape', [1, channels, ...output])]);
  },
  torch: { module: (layer) => pyCall(`nn.AdaptiveAvgPool${layer.attrs.output.length}d`, [layer.attrs.output]) },
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
