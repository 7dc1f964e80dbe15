// The model in float16 for GPU providers: every float initializer becomes float16 and the graph
// computes in float16, while the input and the logits stay float32 (a Cast after the input and one
// before the output), so the caller feeds and reads the same tensors as for the fp32 model. Values
// beyond float16's range (±65504) become ±infinity, as a float16 cast does.
import { DataType } from './proto';
import { floatsOf, freshName, node, tensor, usedNames, withGraph, intAttribute, type OnnxModel } from './onnx-model';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of `value`, rounded to nearest even. */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal: shift the mantissa (with its implicit 1) into place, rounding to nearest even.
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let result = m >>> shift;
    if (rest > half || (rest === half && (result & 1) === 1)) result++;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1) === 1)) result++;
  return sign | result;
}

/** The float value of half-precision bits. */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function toFloat16(model: OnnxModel): OnnxModel {
  const taken = usedNames(model);
  const initializers = model.graph.initializer.map((t) => {
    if (t.data_type !== DataType.FLOAT) return t;
    const values = floatsOf(t);
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) bits[i] = toHalfBits(values[i]!);
    return tensor(t.name, t.dims, bits);
  });
  const inputs = new Map(model.graph.input.map((i) => [i.name, freshName(taken, `${i.name}_fp16`)]));
  const outputs = new Map(model.graph.output.map((o) => [o.name, freshName(taken, `${o.name}_fp16`)]));
  const rename = (value: string) => inputs.get(value) ?? outputs.get(value) ?? value;
  const nodes = [
    ...[...inputs].map(([name, half]) => node(freshName(taken, `${name}_cast`), 'Cast', [name], [half], [intAttribute('to', DataType.FLOAT16)])),
    ...model.graph.node.map((n) => ({ ...n, input: n.input.map(rename), output: n.output.map(rename) })),
    ...[...outputs].map(([name, half]) => node(freshName(taken, `${name}_cast`), 'Cast', [half], [name], [intAttribute('to', DataType.FLOAT)])),
  ];
  return withGraph(model, nodes, initializers, { precision: 'fp16' });
}
