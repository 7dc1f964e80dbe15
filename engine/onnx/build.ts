// Compiles an analysed Network and its weights into an ONNX ModelProto (IR 8, opset 17).
// Node and initializer names are the torchvision keys, so a model exported here reads like
// torchvision's module tree; anonymous layers get their enclosing block's name plus the op.
import type { AddNode, LayerNode, ModelNode, Network, Shape, WeightSpec } from '../../language/core/model';
import { ops } from '../../language/core/ops';
import type { OnnxAttribute, OnnxEmitter, ResolvedLayer } from '../../language/core/ops/op';
import type { Span } from '../../language/core/syntax';
import { layerName } from '../../language/core/walk';
import { encodeModel } from './encode';
import { AttributeType, DataType } from './proto';

export const IR_VERSION = 8;
export const OPSET = 17;
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'logits';

/** Why a network cannot be compiled; `range` is the span of the statement to blame when there is one. */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly range?: Span,
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

interface Attribute {
  name: string;
  type: number;
  i?: number;
  f?: number;
  ints?: number[];
}
interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: Attribute[];
}
interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

function toProto(a: OnnxAttribute): Attribute {
  if ('ints' in a) return { name: a.name, type: AttributeType.INTS, ints: a.ints };
  if ('float' in a) return { name: a.name, type: AttributeType.FLOAT, f: a.float };
  return { name: a.name, type: AttributeType.INT, i: a.int };
}

const bytesOf = (array: Float32Array | BigInt64Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

class GraphBuilder implements OnnxEmitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>([INPUT_NAME]);

  constructor(private readonly weights: ReadonlyMap<string, Float32Array>) {}

  /** A fresh name: `preferred` itself when free, else `preferred_1`, `preferred_2`, … */
  unique(preferred: string): string {
    let name = preferred;
    for (let i = 1; this.used.has(name); i++) name = `${preferred}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node whose single output value carries the node's name; returns that value. */
  node(name: string, opType: string, inputs: string[], attributes: OnnxAttribute[] = []): string {
    const unique = this.unique(name);
    this.nodes.push({ name: unique, op_type: opType, input: inputs, output: [unique], attribute: attributes.map(toProto) });
    return unique;
  }

  /** The layer being lowered, whose range a missing or misshapen weight points at. */
  range?: Span;

  weight({ key, shape }: WeightSpec): string {
    const values = this.weights.get(key);
    if (!values) throw new CompileError(`no weights for ${key}`, this.range);
    const count = shape.reduce((a, b) => a * b, 1);
    if (values.length !== count) {
      throw new CompileError(`${key} has ${values.length} values, expected [${shape.join(', ')}] = ${count}`, this.range);
    }
    this.used.add(key);
    this.initializers.push({ name: key, dims: [...shape], data_type: DataType.FLOAT, raw_data: bytesOf(values) });
    return key;
  }

  constant(name: string, dims: number[], values: Float32Array | BigInt64Array): string {
    const unique = this.unique(name);
    const dataType = values instanceof Float32Array ? DataType.FLOAT : DataType.INT64;
    this.initializers.push({ name: unique, dims, data_type: dataType, raw_data: bytesOf(values) });
    return unique;
  }
}

function requireShape(shape: Shape | undefined, what: string, range: Span): Shape {
  if (!shape) throw new CompileError(`the shape of ${what} is unknown; fix the errors above it first`, range);
  return shape;
}

function requireAttrs(layer: LayerNode): void {
  if (!layer.attrs) throw new CompileError(`${describe(layer)} has arguments that could not be evaluated`, layer.range);
}

function describe(layer: LayerNode): string {
  return layer.name ? `layer ${layer.name} (${layer.op})` : `the anonymous ${layer.op} layer`;
}

class NetworkCompiler {
  constructor(private readonly graph: GraphBuilder) {}

  /** Emits `nodes`, whose input is the value `input`, inside the block `blockName`; returns the output value. */
  sequence(nodes: readonly ModelNode[], input: string, blockName: string, blockInput: string | undefined): string {
    let value = input;
    for (const node of nodes) {
      switch (node.kind) {
        case 'layer':
          value = this.layer(node, value, blockName);
          break;
        case 'add':
          if (blockInput === undefined) throw new CompileError('a residual add must be inside a block', node.range);
          value = this.add(node, value, blockInput, blockName);
          break;
        case 'block':
          value = this.sequence(node.children, value, node.name, value);
          break;
        case 'stage':
          value = this.sequence(node.children, value, node.name, blockInput);
          break;
      }
    }
    return value;
  }

  private layer(layer: LayerNode, x: string, blockName: string): string {
    requireAttrs(layer);
    requireShape(layer.inputShape, describe(layer), layer.range);
    requireShape(layer.outputShape, describe(layer), layer.range);
    this.graph.range = layer.range;
    const lower = ops[layer.op].lower as (emit: OnnxEmitter, layer: ResolvedLayer<LayerNode['op']>, x: string, name: string) => string;
    return lower(this.graph, layer as ResolvedLayer<LayerNode['op']>, x, layerName(layer, blockName));
  }

  private add(node: AddNode, main: string, blockInput: string, blockName: string): string {
    const g = this.graph;
    const name = node.name || `${blockName}.add`;
    if (!node.shortcut) throw new CompileError('the shortcut of this residual add is unknown; fix the errors above it first', node.range);
    let shortcut = blockInput;
    if (node.shortcut === 'projection') {
      if (node.layers.length === 0) throw new CompileError('a projection shortcut needs its conv and batchnorm layers', node.range);
      for (const layer of node.layers) shortcut = this.layer(layer, shortcut, blockName);
    } else if (node.shortcut === 'zeropad') {
      shortcut = this.zeropad(node, blockInput, blockName);
    }
    return g.node(name, 'Add', [main, shortcut]);
  }

  /** Option A: x[:, :, ::s, ::s], then zero channels, half before and half after. */
  private zeropad(node: AddNode, x: string, blockName: string): string {
    const g = this.graph;
    const inputShape = requireShape(node.shortcutInputShape, 'the shortcut input', node.range);
    const [, inChannels] = inputShape;
    const sizes = inputShape.slice(2);
    const outChannels = requireShape(node.outputShape, 'the residual add', node.range)[1];
    const stride = node.stride ?? sizes.map(() => 1);
    if (stride.length !== sizes.length || !stride.every((s) => Number.isInteger(s) && s >= 1)) throw new CompileError(`a zeropad shortcut needs a whole stride per axis, not ${stride.join(', ')}`, node.range);
    if (inChannels === undefined || outChannels === undefined || sizes.length < 2) {
      throw new CompileError('a zeropad shortcut needs a feature map [N, C, H, W] or a clip [N, C, T, H, W]', node.range);
    }
    let value = x;
    if (stride.some((s) => s !== 1)) {
      const i64 = (values: number[]) => new BigInt64Array(values.map(BigInt));
      const n = sizes.length;
      value = g.node(`${blockName}.shortcut.subsample`, 'Slice', [
        x,
        g.constant(`${blockName}.shortcut.starts`, [n], i64(sizes.map(() => 0))),
        g.constant(`${blockName}.shortcut.ends`, [n], i64(sizes)),
        g.constant(`${blockName}.shortcut.axes`, [n], i64(sizes.map((_, axis) => axis + 2))),
        g.constant(`${blockName}.shortcut.steps`, [n], i64(stride)),
      ]);
    }
    const extra = outChannels - inChannels;
    if (extra < 0) throw new CompileError('a zeropad shortcut cannot reduce the number of channels', node.range);
    if (extra === 0) return value;
    const before = Math.floor(extra / 2);
    const zeros = sizes.map(() => 0);
    const pads = new BigInt64Array([0, before, ...zeros, 0, extra - before, ...zeros].map(BigInt));
    return g.node(`${blockName}.shortcut.pad`, 'Pad', [value, g.constant(`${blockName}.shortcut.pads`, [pads.length], pads)]);
  }
}

function tensorType(shape: readonly number[]) {
  return { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: shape.map((d) => ({ dim_value: d })) } } };
}

export interface OnnxMetadata {
  /** Written into the model's metadata_props, e.g. { weights: 'random (seed 0)' }. */
  [key: string]: string;
}

/** The ModelProto as a plain object (protobufjs field names). */
export function buildModel(network: Network, weights: ReadonlyMap<string, Float32Array>, metadata: OnnxMetadata = {}) {
  if (!network.input) throw new CompileError(`network ${network.name} has no input statement`, network.nameRange);
  if (!network.outputShape) throw new CompileError(`the output shape of network ${network.name} is unknown`, network.nameRange);
  const graph = new GraphBuilder(weights);
  const result = new NetworkCompiler(graph).sequence(network.children, INPUT_NAME, '', undefined);
  if (result === INPUT_NAME) {
    graph.nodes.push({ name: OUTPUT_NAME, op_type: 'Identity', input: [INPUT_NAME], output: [OUTPUT_NAME], attribute: [] });
  } else {
    for (const node of graph.nodes) {
      node.output = node.output.map((v) => (v === result ? OUTPUT_NAME : v));
      node.input = node.input.map((v) => (v === result ? OUTPUT_NAME : v));
    }
  }
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'resnet-studio',
    producer_version: '0.1.0',
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: network.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [{ name: INPUT_NAME, type: tensorType([1, ...network.input]) }],
      output: [{ name: OUTPUT_NAME, type: tensorType(network.outputShape) }],
    },
  };
}

/** The serialised ONNX model. */
export function compileToOnnx(
  network: Network,
  weights: ReadonlyMap<string, Float32Array>,
  metadata: OnnxMetadata = {},
): Uint8Array {
  return encodeModel(buildModel(network, weights, metadata));
}
