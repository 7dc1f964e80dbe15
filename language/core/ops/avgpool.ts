// nn.AdaptiveAvgPool2d (nn.AdaptiveAvgPool3d on a clip): along each axis, bin i covers
// [⌊i·size/out⌋, ⌈(i+1)·size/out⌉). With a `kernel`, nn.AvgPool2d/3d's fixed window (padding
// counted in the average, PyTorch's default).

import type { AvgPoolAttrs } from '../model';
import { attr, axes, maxWindow, needsMap, perAxis, pyCall, type OnnxEmitter, type OpDefinition, type RuleProblem } from './op';
import { windowed } from './window';

export const avgpool: OpDefinition<'avgpool'> = {
  doc: 'Average pooling: adaptive to `output` along every spatial axis (1 by default, or one size per axis), or a fixed `kernel` window with `stride` and `padding`.',
  params: [
    axes('output', 'output size, adaptive pooling (or one per axis)', 1, 1, maxWindow),
    axes('kernel', 'a fixed window instead (0: adaptive; or one per axis)', 0, 0),
    { ...axes('stride', 'stride of the fixed window (or one per axis)', (a) => a.kernel as number | number[]), defaultText: 'kernel' },
    axes('padding', 'zero padding of the fixed window, counted in the average (or one per axis)', 0, 0),
  ],
  hasWeights: false,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs: AvgPoolAttrs = { output: [], kernel: [], stride: [], padding: [] };
    if (!input || !needsMap('avgpool', input, problems)) return { attrs, problems };
    for (const key of ['output', 'kernel', 'stride', 'padding'] as const) {
      const values = perAxis('avgpool', key, a[key], input, problems, a);
      if (!values) return { attrs, problems };
      attrs[key] = values;
    }
    if (attrs.kernel.every((k) => k === 0)) return { attrs, output: [1, input[1], ...attrs.output], problems };
    const wide = attrs.padding.findIndex((p, axis) => p * 2 > attrs.kernel[axis]);
    if (wide >= 0) {
      problems.push({ kind: 'channels', args: [`avgpool padding (${attrs.padding[wide]}) must be at most half the kernel (${attrs.kernel[wide]}).`], argument: 'padding' });
      return { attrs, problems };
    }
    // torch's avg_pool3d (unlike avg_pool2d) refuses a clip smaller than the kernel along any axis, padding or not.
    const short = input.length === 5 ? input.slice(2).findIndex((size, axis) => size < attrs.kernel[axis]) : -1;
    if (short >= 0) {
      problems.push({ kind: 'clipWindow', args: ['avgpool', 'THW'[short], input[short + 2], attrs.kernel[short]], argument: 'kernel' });
      return { attrs, problems };
    }
    return { attrs, output: windowed('avgpool', input, { ...attrs, dilation: attrs.kernel.map(() => 1) }, false, problems), problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const { output, kernel, stride, padding } = layer.attrs;
    const sizes = layer.inputShape.slice(2);
    if (kernel.some((k) => k > 0)) {
      const window = [attr.int('count_include_pad', 1), attr.ints('kernel_shape', kernel), attr.ints('pads', [...padding, ...padding]), attr.ints('strides', stride)];
      return emit.node(name, 'AveragePool', [x], window);
    }
    if (output.every((o) => o === 1)) return emit.node(name, 'GlobalAveragePool', [x]);
    if (sizes.every((size, axis) => size % output[axis] === 0)) {
      const bins = sizes.map((size, axis) => size / output[axis]);
      return emit.node(name, 'AveragePool', [x], [attr.ints('kernel_shape', bins), attr.ints('strides', bins)]);
    }
    // Bins of unequal, overlapping sizes: out = P_h · x · P_wᵀ with each row of P averaging one bin.
    const [height, width] = sizes.slice(-2);
    const [outHeight, outWidth] = output.slice(-2);
    const columns = emit.node(`${name}.columns`, 'MatMul', [x, binMatrix(emit, `${name}.pool_w`, width, outWidth, true)]);
    const rows = emit.node(sizes.length === 2 ? name : `${name}.rows`, 'MatMul', [binMatrix(emit, `${name}.pool_h`, height, outHeight, false), columns]);
    if (sizes.length === 2) return rows;
    // A clip: frames are the third axis from the end; P_t · (C, T, H'·W') pools them (0 keeps the batch).
    const [channels] = layer.inputShape.slice(1);
    const shape = (label: string, dims: number[]) => emit.constant(`${name}.${label}`, [dims.length], new BigInt64Array(dims.map(BigInt)));
    const flat = emit.node(`${name}.flat`, 'Reshape', [rows, shape('flat_shape', [0, channels, sizes[0], outHeight * outWidth])]);
    const frames = emit.node(`${name}.frames`, 'MatMul', [binMatrix(emit, `${name}.pool_t`, sizes[0], output[0], false), flat]);
    return emit.node(name, 'Reshape', [frames, shape('shape', [0, channels, ...output])]);
  },
  torch: {
    module: ({ attrs: a }) =>
      a.kernel.some((k) => k > 0)
        ? pyCall(`nn.AvgPool${a.kernel.length}d`, [axesValue(a.kernel)], [['stride', axesValue(a.stride)], ['padding', axesValue(a.padding), 0]])
        : pyCall(`nn.AdaptiveAvgPool${a.output.length}d`, [axesValue(a.output)]),
  },
};

/** One number when every axis agrees (as PyTorch modules print it), else the tuple. */
const axesValue = (values: number[]): number | number[] => (values.every((v) => v === values[0]) ? values[0] : values);

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
