// Folds each BatchNormalization that is the only reader of a Conv's output into that Conv:
// w' = w·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β. An inference model then has
// one op where it had two, and the quantizer sees the weights the int8 model will hold (quantizing
// before the fold would put the BatchNorm's scale into the activations instead).
import { attributeOf, consumersOf, floatsOf, freshName, producersOf, tensor, usedNames, withGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-model';

export function foldBatchNorm(model: OnnxModel): OnnxModel {
  const { node: nodes, initializer } = model.graph;
  const initializers = new Map(initializer.map((t) => [t.name, t]));
  const producers = producersOf(nodes);
  const consumers = consumersOf(nodes);
  const outputs = new Set(model.graph.output.map((o) => o.name));
  const taken = usedNames(model);
  const replaced = new Map<string, OnnxTensor>();
  const removed = new Set<OnnxNode>();
  const newConvs = new Map<OnnxNode, OnnxNode>();

  for (const bn of nodes) {
    if (bn.op_type !== 'BatchNormalization') continue;
    const conv = producers.get(bn.input[0]!);
    if (conv?.op_type !== 'Conv' || consumers.get(bn.input[0]!)!.length !== 1 || outputs.has(bn.input[0]!)) continue;
    const [gamma, beta, mean, variance] = bn.input.slice(1).map((name) => initializers.get(name));
    const weight = initializers.get(conv.input[1]!);
    const bias = conv.input[2] ? initializers.get(conv.input[2]) : undefined;
    if (!gamma || !beta || !mean || !variance || !weight || (conv.input[2] && !bias)) continue;

    const epsilon = attributeOf(bn, 'epsilon')?.f ?? 1e-5;
    const [g, b, m, v] = [gamma, beta, mean, variance].map(floatsOf) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const w = floatsOf(weight);
    const channels = weight.dims[0]!;
    const perChannel = w.length / channels;
    const oldBias = bias ? floatsOf(bias) : new Float32Array(channels);
    const newBias = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const scale = g[c]! / Math.sqrt(v[c]! + epsilon);
      for (let i = c * perChannel; i < (c + 1) * perChannel; i++) w[i] = w[i]! * scale;
      newBias[c] = (oldBias[c]! - m[c]!) * scale + b[c]!;
    }
    replaced.set(weight.name, tensor(weight.name, weight.dims, w));
    const biasName = bias?.name ?? freshName(taken, weight.name.replace(/weight$/, 'bias'));
    replaced.set(biasName, tensor(biasName, [channels], newBias));
    newConvs.set(conv, { ...conv, input: [conv.input[0]!, weight.name, biasName], output: [bn.output[0]!] });
    removed.add(bn);
  }

  const kept = nodes.filter((n) => !removed.has(n)).map((n) => newConvs.get(n) ?? n);
  const read = new Set(kept.flatMap((n) => n.input));
  const tensors = [...initializer.filter((t) => !replaced.has(t.name)), ...replaced.values()].filter((t) => read.has(t.name));
  return withGraph(model, kept, tensors);
}
