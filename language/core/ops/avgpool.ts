// nn.AdaptiveAvgPool2d: output × output bins, bin i covering [⌊i·H/out⌋, ⌈(i+1)·H/out⌉); with a
// `kernel`, nn.AvgPool2d's fixed window (padding counted in the average, PyTorch's default).

import { attr, int, maxWindow, needsMap, pyCall, type OnnxEmitter, type OpDefinition, type RuleProblem } from './op';
import { windowed } from './window';

export const avgpool: OpDefinition<'avgpool'> = {
  doc: 'Average pooling: adaptive to `output`×`output` (1 by default), or a fixed `kernel` window with `stride` and `padding`.',
  params: [
    int('output', 'output height and width (adaptive pooling)', 1, 1, maxWindow),
    int('kernel', 'a fixed window instead (0: adaptive)', 0, 0),
    { ...int('stride', 'stride of the fixed window', (a) => a.kernel as number), defaultText: 'kernel' },
    int('padding', 'zero padding of the fixed window, counted in the average', 0, 0),
  ],
  hasWeights: false,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { output: a.output as number, kernel: a.kernel as number, stride: a.stride as number, padding: a.padding as number };
    if (!input || !needsMap('avgpool', input, problems)) return { attrs, problems };
    if (attrs.kernel === 0) return { attrs, output: [1, input[1], attrs.output, attrs.output], problems };
    if (attrs.padding * 2 > attrs.kernel) {
      problems.push({ kind: 'channels', args: [`avgpool padding (${attrs.padding}) must be at most half the kernel (${attrs.kernel}).`], argument: 'padding' });
      return { attrs, problems };
    }
    return { attrs, output: windowed('avgpool', input, { ...attrs, dilation: 1 }, false, problems), problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const { output, kernel, stride, padding } = layer.attrs;
    const [, , height, width] = layer.inputShape;
    if (kernel > 0) {
      const window = [attr.int('count_include_pad', 1), attr.ints('kernel_shape', [kernel, kernel]), attr.ints('pads', [padding, padding, padding, padding]), attr.ints('strides', [stride, stride])];
      return emit.node(name, 'AveragePool', [x], window);
    }
    if (output === 1) return emit.node(name, 'GlobalAveragePool', [x]);
    if (height % output === 0 && width % output === 0) {
      const kernel = [height / output, width / output];
      return emit.node(name, 'AveragePool', [x], [attr.ints('kernel_shape', kernel), attr.ints('strides', kernel)]);
    }
    // Bins of unequal, overlapping sizes: out = P_h · x · P_wᵀ with each row of P averaging one bin.
    const columns = emit.node(`${name}.columns`, 'MatMul', [x, binMatrix(emit, `${name}.pool_w`, width, output, true)]);
    return emit.node(name, 'MatMul', [binMatrix(emit, `${name}.pool_h`, height, output, false), columns]);
  },
  torch: {
    module: ({ attrs: a }) =>
      a.kernel > 0 ? pyCall('nn.AvgPool2d', [a.kernel], [['stride', a.stride], ['padding', a.padding, 0]]) : pyCall('nn.AdaptiveAvgPool2d', [a.output]),
  },
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
