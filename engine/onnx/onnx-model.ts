// The compiled model as the graph passes after build.ts see it (BatchNorm folding, int8 quantization,
// fp16): the plain ModelProto object that build.ts makes and encode.ts writes, and the few helpers
// every pass needs. A pass returns a new model and leaves its argument as it was.
import type { buildModel } from './build';
import { AttributeType, DataType } from './proto';

export type OnnxModel = ReturnType<typeof buildModel>;
export type OnnxNode = OnnxModel['graph']['node'][number];
export type OnnxTensor = OnnxModel['graph']['initializer'][number];
export type OnnxAttribute = OnnxNode['attribute'][number];

type TypedValues = Float32Array | Int8Array | Uint8Array | Int32Array | Uint16Array;

const DATA_TYPE = new Map<Function, number>([
  [Float32Array, DataType.FLOAT],
  [Int8Array, DataType.INT8],
  [Uint8Array, DataType.UINT8],
  [Int32Array, DataType.INT32],
]);

/** An initializer holding `values` (a Uint16Array holds float16 bits). */
export function tensor(name: string, dims: readonly number[], values: TypedValues): OnnxTensor {
  const dataType = values instanceof Uint16Array ? DataType.FLOAT16 : DATA_TYPE.get(values.constructor)!;
  return { name, dims: [...dims], data_type: dataType, raw_data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/** A float initializer's values (a copy, aligned, whatever the alignment of its raw data). */
export function floatsOf(initializer: OnnxTensor): Float32Array {
  if (initializer.data_type !== DataType.FLOAT) throw new Error(`${initializer.name} is not a float tensor`);
  const raw = initializer.raw_data;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

export function node(name: string, opType: string, inputs: string[], outputs: string[], attribute: OnnxAttribute[] = []): OnnxNode {
  return { name, op_type: opType, input: inputs, output: outputs, attribute };
}

export const intAttribute = (name: string, value: number): OnnxAttribute => ({ name, type: AttributeType.INT, i: value });

export function attributeOf(n: OnnxNode, name: string): OnnxAttribute | undefined {
  return n.attribute.find((a) => a.name === name);
}

/** The model with other nodes, initializers and metadata; the rest is shared with `model`. */
export function withGraph(model: OnnxModel, nodes: OnnxNode[], initializers: OnnxTensor[], metadata: Record<string, string> = {}): OnnxModel {
  const kept = model.metadata_props.filter((p) => !(p.key in metadata));
  return {
    ...model,
    metadata_props: [...kept, ...Object.entries(metadata).map(([key, value]) => ({ key, value }))],
    graph: { ...model.graph, node: nodes, initializer: initializers },
  };
}

/** For each value, the nodes that read it. */
export function consumersOf(nodes: readonly OnnxNode[]): Map<string, OnnxNode[]> {
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const input of n.input) {
      if (input === '') continue;
      const list = consumers.get(input) ?? [];
      list.push(n);
      consumers.set(input, list);
    }
  }
  return consumers;
}

/** Each value's producing node. */
export function producersOf(nodes: readonly OnnxNode[]): Map<string, OnnxNode> {
  return new Map(nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
}

/** A name not among `taken`: `preferred`, else `preferred_1`, …; it is added to `taken`. */
export function freshName(taken: Set<string>, preferred: string): string {
  let name = preferred;
  for (let i = 1; taken.has(name); i++) name = `${preferred}_${i}`;
  taken.add(name);
  return name;
}

/** Every name a node, a value or an initializer of the model uses. */
export function usedNames(model: OnnxModel): Set<string> {
  const names = new Set<string>(model.graph.initializer.map((t) => t.name));
  for (const n of model.graph.node) {
    names.add(n.name);
    for (const v of [...n.input, ...n.output]) names.add(v);
  }
  for (const v of [...model.graph.input, ...model.graph.output]) names.add(v.name);
  return names;
}
