// The activations and dropout: no weights, the input's shape.

import { attr, elementwise, num, pyCall } from './op';

export const relu = elementwise<'relu'>('ReLU.', () => ({}), (emit, _layer, x, name) => emit.node(name, 'Relu', [x]), { module: () => 'nn.ReLU()' });

export const relu6 = elementwise<'relu6'>(
  'ReLU clipped at 6.',
  () => ({}),
  (emit, _layer, x, name) => {
    const low = emit.constant(`${name}.min`, [], new Float32Array([0]));
    const high = emit.constant(`${name}.max`, [], new Float32Array([6]));
    return emit.node(name, 'Clip', [x, low, high]);
  },
  { module: () => 'nn.ReLU6()' },
);

export const leaky_relu = elementwise<'leaky_relu'>(
  'Leaky ReLU.',
  (a) => ({ negative_slope: a.slope as number }),
  (emit, layer, x, name) => emit.node(name, 'LeakyRelu', [x], [attr.float('alpha', layer.attrs.negative_slope)]),
  { module: (layer) => pyCall('nn.LeakyReLU', [layer.attrs.negative_slope]) },
  [num('slope', 'the slope for negative inputs', 0.01, 0, 1)],
);

export const sigmoid = elementwise<'sigmoid'>('Sigmoid.', () => ({}), (emit, _layer, x, name) => emit.node(name, 'Sigmoid', [x]), { module: () => 'nn.Sigmoid()' });

export const dropout = elementwise<'dropout'>(
  'Dropout (identity at inference).',
  (a) => ({ p: a.p as number }),
  (_emit, _layer, x) => x,
  { module: (layer) => pyCall('nn.Dropout', [], [['p', layer.attrs.p]]) },
  [num('p', 'probability of zeroing an element while training', 0.5, 0, 1)],
);
