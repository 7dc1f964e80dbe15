// nn.MaxPool2d on a feature map, nn.MaxPool3d on a clip, with its ceil mode and dilation.

import type { MaxPoolAttrs } from '../model';
import { attr, axes, bool, needsMap, perAxis, pyCall, type OpDefinition, type RuleProblem } from './op';
import { axisOf, windowed, windowOutput, type AxisWindow } from './window';

const axisNames = ['frame', 'row', 'column'];

export const maxpool: OpDefinition<'maxpool'> = {
  doc: 'Max pooling, 2-D on a feature map, 3-D on a clip.',
  params: [
    axes('kernel', 'window size (or one per axis)'),
    { ...axes('stride', 'stride (or one per axis)', (a) => a.kernel as number | number[]), defaultText: 'kernel' },
    axes('padding', 'implicit −∞ padding on each side (or one per axis)', 0, 0),
    axes('dilation', 'spacing between window taps (or one per axis)', 1),
    bool('ceil', "PyTorch's ceil mode: a partial last window counts", false),
  ],
  hasWeights: false,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs: MaxPoolAttrs = { kernel: [], stride: [], padding: [], dilation: [], ceil_mode: a.ceil as boolean };
    if (!input || !needsMap('maxpool', input, problems)) return { attrs, problems };
    for (const key of ['kernel', 'stride', 'padding', 'dilation'] as const) {
      const values = perAxis('maxpool', key, a[key], input, problems, a);
      if (!values) return { attrs, problems };
      attrs[key] = values;
    }
    const wide = attrs.padding.findIndex((p, axis) => p * 2 > attrs.kernel[axis]);
    if (wide >= 0) {
      problems.push({ kind: 'channels', args: [`maxpool padding (${attrs.padding[wide]}) must be at most half the kernel (${attrs.kernel[wide]}).`], argument: 'padding' });
      return { attrs, problems };
    }
    const output = windowed('maxpool', input, attrs, attrs.ceil_mode, problems);
    if (output) {
      const spatial = input.length - 2;
      const blind = input.slice(2).map((size, axis) => paddingOnlyWindow(size, output[axis + 2], axisOf(attrs, axis)));
      const axis = blind.findIndex((w) => w !== undefined);
      if (axis >= 0) problems.push({ kind: 'paddingOnly', args: [axisNames[axis + 3 - spatial], blind[axis]!] });
    }
    return { attrs, output, problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const a = layer.attrs;
    const sizes = layer.inputShape.slice(2);
    // ONNX's ceil mode keeps a last window that starts in the padding, which PyTorch drops: floor
    // mode with the end padding that gives PyTorch's size reads the same windows.
    const end = sizes.map((size, axis) => (a.ceil_mode ? ceilModeEndPad(size, axisOf(a, axis)) : a.padding[axis]));
    const pads = [...a.padding, ...end];
    const window = [attr.ints('dilations', a.dilation), attr.ints('kernel_shape', a.kernel), attr.ints('strides', a.stride)];
    if (pads.every((p, i) => p < a.kernel[i % sizes.length])) return emit.node(name, 'MaxPool', [x], [attr.int('ceil_mode', 0), ...window, attr.ints('pads', pads)]);
    // onnxruntime wants pads below the kernel size; a dilated window can need more: pad with −∞ first.
    const onnxPads = new BigInt64Array([0, 0, ...a.padding, 0, 0, ...end].map(BigInt));
    const padded = emit.node(`${name}.pad`, 'Pad', [x, emit.constant(`${name}.pads`, [onnxPads.length], onnxPads), emit.constant(`${name}.fill`, [], new Float32Array([-Infinity]))]);
    return emit.node(name, 'MaxPool', [padded], [attr.int('ceil_mode', 0), ...window]);
  },
  torch: {
    module: ({ attrs: a }) =>
      pyCall(`nn.MaxPool${a.kernel.length}d`, [], [
        ['kernel_size', a.kernel],
        ['stride', a.stride],
        ['padding', a.padding, 0],
        ['dilation', a.dilation, 1],
        ['ceil_mode', a.ceil_mode, false],
      ]),
  },
};

/** End padding that makes floor-mode pooling produce the ceil-mode size. */
function ceilModeEndPad(size: number, w: AxisWindow): number {
  const out = windowOutput(size, w, true);
  const span = w.dilation * (w.kernel - 1) + 1;
  return Math.max(w.padding, (out - 1) * w.stride + span - size - w.padding);
}

/** The first window along an axis whose taps all fall in the padding (PyTorch outputs −∞ there). */
function paddingOnlyWindow(size: number, outputs: number, w: AxisWindow): number | undefined {
  // Only windows that start in the left padding can miss the input: later ones start inside it.
  for (let i = 0; i < outputs && i * w.stride < w.padding; i++) {
    const start = i * w.stride - w.padding;
    const firstInside = Math.ceil(-start / w.dilation);
    if (firstInside >= w.kernel || start + firstInside * w.dilation >= size) return i;
  }
  return undefined;
}
