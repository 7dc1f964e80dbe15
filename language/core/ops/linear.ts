// nn.Linear; a C×1×1 (or C×1×1×1) input is flattened first, as torchvision's forward does.

import { attr, bool, dims, int, maxChannels, product, pyCall, weightOf, type OpDefinition, type RuleProblem } from './op';

export const linear: OpDefinition<'linear'> = {
  doc: 'Fully connected layer; flattens a C×1×1 (or C×1×1×1) input.',
  params: [
    int('out', 'output features', undefined, 1, maxChannels),
    { ...int('in', 'input features, checked when given', 0, 0, Number.MAX_SAFE_INTEGER), defaultText: 'inferred' },
    bool('bias', 'adds a learnable bias', true),
  ],
  hasWeights: true,
  infer(input, a) {
    const problems: RuleProblem[] = [];
    const attrs = { in_features: 0, out_features: a.out as number, bias: a.bias as boolean };
    if (!input) return { attrs, problems };
    if (input.slice(2).some((size) => size !== 1)) {
      problems.push({ kind: 'linearInput', args: [`linear needs flat features or ${input.length === 5 ? 'C×1×1×1' : 'C×1×1'}, got ${dims(input)}: add 'avgpool' (or 'flatten') before it.`] });
      return { attrs, problems };
    }
    attrs.in_features = input[1];
    const declared = a.in as number;
    if (declared !== 0 && declared !== attrs.in_features) {
      problems.push({ kind: 'linearInput', args: [`linear declares in=${declared} but receives ${attrs.in_features} features.`], argument: 'in', suggestion: attrs.in_features });
    }
    return { attrs, output: [1, attrs.out_features], problems };
  },
  weights: (l) => [
    { suffix: 'weight', shape: [l.out_features, l.in_features], kind: 'parameter' },
    ...(l.bias ? [{ suffix: 'bias', shape: [l.out_features], kind: 'parameter' as const }] : []),
  ],
  macs: (l) => product(l.in_features, l.out_features),
  lower(emit, layer, x, name) {
    const flat = layer.inputShape.length > 2 ? emit.node(`${name}.flatten`, 'Flatten', [x], [attr.int('axis', 1)]) : x;
    const inputs = [flat, emit.weight(weightOf(layer, 'weight'))];
    if (layer.attrs.bias) inputs.push(emit.weight(weightOf(layer, 'bias')));
    return emit.node(name, 'Gemm', inputs, [attr.int('transB', 1)]);
  },
  torch: {
    module: ({ attrs: l }) => pyCall('nn.Linear', [l.in_features, l.out_features], [['bias', l.bias, true]]),
    apply: (module, x, layer) => (layer.inputShape.length > 2 ? `${module}(torch.flatten(${x}, 1))` : `${module}(${x})`),
  },
};
