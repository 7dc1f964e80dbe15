// Static int8 quantization of a compiled model in QDQ form, with onnxruntime's conventions
// (onnxruntime/python/tools/quantization: qdq_quantizer.py, operators/, quant_utils.py), so that its
// CPU provider fuses each DequantizeLinear → op → QuantizeLinear group into one integer kernel
// (QLinearConv, QLinearAdd, QGemm, QLinearGlobalAveragePool, …):
// - weights of Conv and Gemm: int8, symmetric, per output channel (scale max|w|/127, zero point 0),
//   stored quantized with a DequantizeLinear (axis 0);
// - their bias: int32 with scale input_scale · weight_scale[c] and zero point 0;
// - activations: per tensor, asymmetric uint8 (or int8) over the calibrated range widened to hold 0;
//   one QuantizeLinear → DequantizeLinear pair per tensor, read by all of its consumers;
// - a Relu, or a Clip from 0, that alone reads a quantized op's output is removed and that output
//   takes its range (QDQRemovableActivation): the zero point then sits at the range's 0 and the
//   integer kernel clamps as the activation would;
// - MaxPool and Flatten only move values, so their output keeps their input's scale and zero point,
//   and onnxruntime runs them on the integers;
// - the graph input is quantized, the logits stay float (the last Gemm dequantizes).
// Ops outside QUANTIZED_OPS (BatchNormalization left unfolded, Pad, Slice, MatMul, …) run in float
// on dequantized values. Fold BatchNorm first (fold-batchnorm.ts): the ranges are of that model.
import type { TensorRange } from './calibrate';
import {
  attributeOf,
  consumersOf,
  floatsOf,
  freshName,
  intAttribute,
  node,
  producersOf,
  tensor,
  usedNames,
  withGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
} from './onnx-model';

export const ACTIVATION_TYPES = ['uint8', 'int8'] as const;
export type ActivationType = (typeof ACTIVATION_TYPES)[number];

const QUANTIZED_OPS = new Set(['Conv', 'Gemm', 'Add', 'Mul', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Sigmoid', 'LeakyRelu', 'Flatten']);
const SAME_AS_INPUT = new Set(['MaxPool', 'Flatten']);
/** Ops whose input 1 (and 2) are a weight and a bias. */
const WEIGHTED = new Set(['Conv', 'Gemm']);

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

const ACTIVATION_LIMITS: Record<ActivationType, [number, number]> = { uint8: [0, 255], int8: [-128, 127] };
const WEIGHT_LIMIT = 127;
const TINY = 1.1754943508222875e-38;

/** numpy.round: ties to the even neighbour. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clamp = (x: number, low: number, high: number) => Math.min(high, Math.max(low, x));

/** quant_utils.compute_scale_zp, asymmetric: the range widened to hold 0, over the type's levels. */
export function activationParams(range: TensorRange, type: ActivationType): QuantParams {
  const [qmin, qmax] = ACTIVATION_LIMITS[type];
  const rmin = Math.min(range.min, 0);
  const rmax = Math.max(range.max, 0);
  const scale = Math.fround((rmax - rmin) / (qmax - qmin));
  if (!(scale >= TINY) || !Number.isFinite(scale)) return { scale: 1, zeroPoint: 0 };
  return { scale, zeroPoint: clamp(roundEven(qmin - rmin / scale), qmin, qmax) };
}

/** A weight quantized symmetrically to [−127, 127], per slice of axis 0 (or as one slice). */
export function quantizeWeight(values: Float32Array, channels: number): { data: Int8Array; scales: Float32Array } {
  const size = values.length / channels;
  const data = new Int8Array(values.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let absMax = 0;
    for (let i = c * size; i < (c + 1) * size; i++) absMax = Math.max(absMax, Math.abs(values[i]!));
    const scale = Math.fround((2 * absMax) / (2 * WEIGHT_LIMIT));
    scales[c] = scale >= TINY ? scale : 1;
    for (let i = c * size; i < (c + 1) * size; i++) data[i] = clamp(roundEven(Math.fround(values[i]! / scales[c]!)), -WEIGHT_LIMIT, WEIGHT_LIMIT);
  }
  return { data, scales };
}

/** A bias as int32 in units of input_scale · weight_scale[c]. */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: Float32Array): { data: Int32Array; scales: Float32Array } {
  const scales = weightScales.map((s) => Math.fround(inputScale * s));
  const data = new Int32Array(values.length);
  for (let c = 0; c < values.length; c++) {
    const scale = scales.length === 1 ? scales[0]! : scales[c]!;
    data[c] = clamp(roundEven(values[c]! / scale), -2147483648, 2147483647);
  }
  return { data, scales };
}

interface Plan {
  nodes: OnnxNode[];
  /** Activation values that get a QuantizeLinear → DequantizeLinear pair, in graph order. */
  quantized: string[];
  /** Values whose parameters are those of another (the input of a MaxPool or Flatten). */
  sameAs: Map<string, string>;
}

function isZeroConstant(initializers: Map<string, OnnxTensor>, name: string | undefined): boolean {
  const t = name ? initializers.get(name) : undefined;
  return t !== undefined && floatsOf(t).every((v) => v === 0);
}

function plan(model: OnnxModel): Plan {
  const initializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const outputs = new Set(model.graph.output.map((o) => o.name));
  const producers = producersOf(model.graph.node);
  const consumers = consumersOf(model.graph.node);
  const removed = new Set<OnnxNode>();
  const renamed = new Map<OnnxNode, OnnxNode>();
  for (const n of model.graph.node) {
    const removable = n.op_type === 'Relu' || (n.op_type === 'Clip' && isZeroConstant(initializers, n.input[1]));
    if (!removable) continue;
    const input = n.input[0]!;
    const producer = producers.get(input);
    if (!producer || !QUANTIZED_OPS.has(producer.op_type) || SAME_AS_INPUT.has(producer.op_type)) continue;
    if (consumers.get(input)!.length !== 1 || outputs.has(input) || renamed.has(producer)) continue;
    removed.add(n);
    renamed.set(producer, { ...producer, output: [n.output[0]!] });
  }
  const nodes = model.graph.node.filter((n) => !removed.has(n)).map((n) => renamed.get(n) ?? n);

  const quantized = new Set<string>();
  const sameAs = new Map<string, string>();
  const add = (value: string) => {
    if (value !== '' && !initializers.has(value) && !outputs.has(value)) quantized.add(value);
  };
  for (const n of nodes) {
    if (!QUANTIZED_OPS.has(n.op_type)) continue;
    // A Conv's or Gemm's weight and bias are quantized as stored tensors, not as activations.
    for (const value of WEIGHTED.has(n.op_type) ? n.input.slice(0, 1) : n.input) add(value);
    for (const value of n.output) add(value);
    if (SAME_AS_INPUT.has(n.op_type) && quantized.has(n.output[0]!)) sameAs.set(n.output[0]!, n.input[0]!);
  }
  const order = [...model.graph.input.map((i) => i.name), ...nodes.flatMap((n) => n.output)];
  return { nodes, quantized: order.filter((v) => quantized.has(v)), sameAs };
}

/** The values whose ranges `quantize` needs, measured on this (fp32, BatchNorm-folded) model. */
export function tensorsToCalibrate(model: OnnxModel): string[] {
  const { quantized, sameAs } = plan(model);
  return quantized.filter((v) => !sameAs.has(v));
}

/** The QDQ model; `ranges` holds a range for each of tensorsToCalibrate(model). */
export function quantize(model: OnnxModel, ranges: ReadonlyMap<string, TensorRange>, activations: ActivationType): OnnxModel {
  const { nodes, quantized, sameAs } = plan(model);
  const initializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const taken = usedNames(model);
  const params = new Map<string, QuantParams>();
  for (const value of quantized) {
    const source = sameAs.get(value);
    if (source !== undefined) {
      params.set(value, params.get(source)!);
      continue;
    }
    const range = ranges.get(value);
    if (!range) throw new Error(`no calibrated range for ${value}`);
    params.set(value, activationParams(range, activations));
  }

  const out: OnnxNode[] = [];
  const added: OnnxTensor[] = [];
  const dequantized = new Map<string, string>();
  const zeroPointArray = activations === 'uint8' ? Uint8Array : Int8Array;

  const qdq = (value: string) => {
    const { scale, zeroPoint } = params.get(value)!;
    const scaleName = freshName(taken, `${value}_scale`);
    const zeroName = freshName(taken, `${value}_zero_point`);
    added.push(tensor(scaleName, [], Float32Array.of(scale)), tensor(zeroName, [], zeroPointArray.of(zeroPoint)));
    const q = freshName(taken, `${value}_QuantizeLinear_Output`);
    const dq = freshName(taken, `${value}_DequantizeLinear_Output`);
    out.push(node(freshName(taken, `${value}_QuantizeLinear`), 'QuantizeLinear', [value, scaleName, zeroName], [q]));
    out.push(node(freshName(taken, `${value}_DequantizeLinear`), 'DequantizeLinear', [q, scaleName, zeroName], [dq]));
    dequantized.set(value, dq);
  };

  /** A stored quantized tensor and the DequantizeLinear that reads it; returns the float value. */
  const storedDequantized = (name: string, dims: readonly number[], data: Int8Array | Int32Array, scales: Float32Array, perChannel: boolean) => {
    const q = freshName(taken, `${name}_quantized`);
    const scaleName = freshName(taken, `${name}_scale`);
    const zeroName = freshName(taken, `${name}_zero_point`);
    const zeros = data instanceof Int8Array ? new Int8Array(scales.length) : new Int32Array(scales.length);
    const shape = perChannel ? [scales.length] : [];
    added.push(tensor(q, dims, data), tensor(scaleName, shape, scales), tensor(zeroName, shape, zeros));
    const dq = freshName(taken, `${name}_DequantizeLinear_Output`);
    out.push(node(freshName(taken, `${name}_DequantizeLinear`), 'DequantizeLinear', [q, scaleName, zeroName], [dq], perChannel ? [intAttribute('axis', 0)] : []));
    return dq;
  };

  for (const input of model.graph.input) if (params.has(input.name)) qdq(input.name);
  for (const n of nodes) {
    const inputs = n.input.map((value) => dequantized.get(value) ?? value);
    const weight = initializers.get(n.input[1] ?? '');
    const inputParams = params.get(n.input[0]!);
    if (WEIGHTED.has(n.op_type) && weight && inputParams) {
      // Gemm's weight is per output channel only when it is stored as [out, in] (transB = 1).
      const perChannel = n.op_type === 'Conv' || attributeOf(n, 'transB')?.i === 1;
      const { data, scales } = quantizeWeight(floatsOf(weight), perChannel ? weight.dims[0]! : 1);
      inputs[1] = storedDequantized(weight.name, weight.dims, data, scales, perChannel);
      const bias = initializers.get(n.input[2] ?? '');
      if (bias) {
        const quantizedBias = quantizeBias(floatsOf(bias), inputParams.scale, scales);
        inputs[2] = storedDequantized(bias.name, bias.dims, quantizedBias.data, quantizedBias.scales, perChannel);
      }
    }
    out.push({ ...n, input: inputs });
    for (const value of n.output) if (params.has(value)) qdq(value);
  }

  const read = new Set(out.flatMap((n) => n.input));
  const kept = [...model.graph.initializer, ...added].filter((t) => read.has(t.name));
  return withGraph(model, out, kept, { precision: 'int8', activations });
}
