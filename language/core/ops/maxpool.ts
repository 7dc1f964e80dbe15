// nn.MaxPool2d, with its ceil mode and dilation.

import { attr, bool, int, needsMap, pyCall, type OpDefinition, type RuleProblem } from './op';
import { windowed, windowOutput, type Window } from './window';

export const maxpool: OpDefinition<'maxpool'> = {
  doc: 'Max pooling.',
  params: [
    int('kernel', 'window size'),
    { ...int('stride', 'stride', (a) => a.kernel as number), defaultText: 'kernel' },
    int('padding', 'implicit −∞ padding on each side', 0, 0),
    int('dilation', 'spacing between window taps', 1),
    bool('ceil', "PyTorch's ceil mode: a partial last window counts", false),
  ],
  hasWeights: false,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { kernel: a.kernel as number, stride: a.stride as number, padding: a.padding as number, dilation: a.dilation as number, ceil_mode: a.ceil as boolean };
    if (!input || !needsMap('maxpool', input, problems)) return { attrs, problems };
    if (attrs.padding * 2 > attrs.kernel) {
      problems.push({ kind: 'channels', args: [`maxpool padding (${attrs.padding}) must be at most half the kernel (${attrs.kernel}).`], argument: 'padding' });
      return { attrs, problems };
    }
    const output = windowed('maxpool', input, attrs, attrs.ceil_mode, problems);
    if (output) {
      const blind = [2, 3].map((axis) => paddingOnlyWindow(input[axis], output[axis], attrs));
      const axis = blind.findIndex((w) => w !== undefined);
      if (axis >= 0) problems.push({ kind: 'paddingOnly', args: [axis === 0 ? 'row' : 'column', blind[axis]] });
    }
    return { attrs, output, problems };
  },
  weights: () => [],
  macs: () => 0n,
  lower(emit, layer, x, name) {
    const a = layer.attrs;
    const [, , height, width] = layer.inputShape;
    // ONNX's ceil mode keeps a last window that starts in the padding, which PyTorch drops: floor
    // mode with the end padding that gives PyTorch's size reads the same windows.
    const end = [height, width].map((size) => (a.ceil_mode ? ceilModeEndPad(size, a) : a.padding));
    const pads = [a.padding, a.padding, end[0], end[1]];
    const window = [
      attr.ints('dilations', [a.dilation, a.dilation]),
      attr.ints('kernel_shape', [a.kernel, a.kernel]),
      attr.ints('strides', [a.stride, a.stride]),
    ];
    if (pads.every((p) => p < a.kernel)) return emit.node(name, 'MaxPool', [x], [attr.int('ceil_mode', 0), ...window, attr.ints('pads', pads)]);
    // onnxruntime wants pads below the kernel size; a dilated window can need more: pad with −∞ first.
    const onnxPads = new BigInt64Array([0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]].map(BigInt));
    const padded = emit.node(`${name}.pad`, 'Pad', [x, emit.constant(`${name}.pads`, [8], onnxPads), emit.constant(`${name}.fill`, [], new Float32Array([-Infinity]))]);
    return emit.node(name, 'MaxPool', [padded], [attr.int('ceil_mode', 0), ...window]);
  },
  torch: {
    module: ({ attrs: a }) =>
      pyCall('nn.MaxPool2d', [], [
        ['kernel_size', a.kernel],
        ['stride', a.stride],
        ['padding', a.padding, 0],
        ['dilation', a.dilation, 1],
        ['ceil_mode', a.ceil_mode, false],
      ]),
  },
};

/** End padding that makes floor-mode pooling produce the ceil-mode size. */
function ceilModeEndPad(size: number, w: Window): number {
  const out = windowOutput(size, w, true);
  const span = w.dilation * (w.kernel - 1) + 1;
  return Math.max(w.padding, (out - 1) * w.stride + span - size - w.padding);
}

/** The first window along an axis whose taps all fall in the padding (PyTorch outputs −∞ there). */
function paddingOnlyWindow(size: number, outputs: number, w: Window): number | undefined {
  // Only windows that start in the left padding can miss the input: later ones start inside it.
  for (let i = 0; i < outputs && i * w.stride < w.padding; i++) {
    const start = i * w.stride - w.padding;
    const firstInside = Math.ceil(-start / w.dilation);
    if (firstInside >= w.kernel || start + firstInside * w.dilation >= size) return i;
  }
  return undefined;
}
