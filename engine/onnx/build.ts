// Compiles an analysed Network and its weights into an ONNX ModelProto (IR 8, opset 17).
// Node and initializer names are the torchvision keys, so a model exported here reads like
// torchvision's module tree; anonymous layers get their enclosing block's name plus the op.
import type { AddNode, LayerNode, ModelNode, Network, Shape } from '../../language/core/model';
import type { Span } from '../../language/core/syntax';
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

const int = (name: string, i: number): Attribute => ({ name, type: AttributeType.INT, i });
const float = (name: string, f: number): Attribute => ({ name, type: AttributeType.FLOAT, f });
const ints = (name: string, values: number[]): Attribute => ({ name, type: AttributeType.INTS, ints: values });

const bytesOf = (array: Float32Array | BigInt64Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

class GraphBuilder {
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
  node(name: string, opType: string, inputs: string[], attributes: Attribute[] = []): string {
    const unique = this.unique(name);
    this.nodes.push({ name: unique, op_type: opType, input: inputs, output: [unique], attribute: attributes });
    return unique;
  }

  weight(key: string, dims: number[], range: Span): string {
    const values = this.weights.get(key);
    if (!values) throw new CompileError(`no weights for ${key}`, range);
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) {
      throw new CompileError(`${key} has ${values.length} values, expected [${dims.join(', ')}] = ${count}`, range);
    }
    this.used.add(key);
    this.initializers.push({ name: key, dims, data_type: DataType.FLOAT, raw_data: bytesOf(values) });
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

function requireAttrs<T>(layer: LayerNode & { attrs?: T }): T {
  if (!layer.attrs) throw new CompileError(`${describe(layer)} has arguments that could not be evaluated`, layer.range);
  return layer.attrs;
}

function describe(layer: LayerNode): string {
  return layer.name ? `layer ${layer.name} (${layer.op})` : `the anonymous ${layer.op} layer`;
}

/** PyTorch's pooled size with ceil_mode: the last window must start inside the input or the left padding. */
export function ceilModeOutputSize(size: number, kernel: number, stride: number, padding: number, dilation: number): number {
  const span = dilation * (kernel - 1) + 1;
  let out = Math.ceil((size + 2 * padding - span) / stride) + 1;
  if ((out - 1) * stride >= size + padding) out--;
  return out;
}

/** End padding that makes floor-mode pooling produce the ceil-mode size. */
function ceilModeEndPad(size: number, kernel: number, stride: number, padding: number, dilation: number): number {
  const out = ceilModeOutputSize(size, kernel, stride, padding, dilation);
  const span = dilation * (kernel - 1) + 1;
  return Math.max(padding, (out - 1) * stride + span - size - padding);
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
          for (const block of node.children) value = this.sequence(block.children, value, block.name, value);
          break;
      }
    }
    return value;
  }

  private layer(layer: LayerNode, x: string, blockName: string): string {
    const g = this.graph;
    const name = layer.name || (blockName ? `${blockName}.${layer.op}` : layer.op);
    switch (layer.op) {
      case 'conv': {
        const a = requireAttrs(layer);
        const dims = [a.out_channels, a.in_channels / a.groups, a.kernel, a.kernel];
        const inputs = [x, g.weight(`${layer.name}.weight`, dims, layer.range)];
        if (a.bias) inputs.push(g.weight(`${layer.name}.bias`, [a.out_channels], layer.range));
        return g.node(name, 'Conv', inputs, [
          ints('dilations', [a.dilation, a.dilation]),
          int('group', a.groups),
          ints('kernel_shape', [a.kernel, a.kernel]),
          ints('pads', [a.padding, a.padding, a.padding, a.padding]),
          ints('strides', [a.stride, a.stride]),
        ]);
      }
      case 'batchnorm': {
        const a = requireAttrs(layer);
        const params = ['weight', 'bias', 'running_mean', 'running_var'].map((p) =>
          g.weight(`${layer.name}.${p}`, [a.num_features], layer.range),
        );
        return g.node(name, 'BatchNormalization', [x, ...params], [float('epsilon', a.eps)]);
      }
      case 'relu':
        return g.node(name, 'Relu', [x]);
      case 'relu6': {
        const low = g.constant(`${name}.min`, [], new Float32Array([0]));
        const high = g.constant(`${name}.max`, [], new Float32Array([6]));
        return g.node(name, 'Clip', [x, low, high]);
      }
      case 'leaky_relu':
        return g.node(name, 'LeakyRelu', [x], [float('alpha', requireAttrs(layer).negative_slope)]);
      case 'sigmoid':
        return g.node(name, 'Sigmoid', [x]);
      case 'maxpool': {
        const a = requireAttrs(layer);
        let padsEnd = [a.padding, a.padding];
        if (a.ceil_mode) {
          // ONNX's shape inference for ceil_mode (opset 17) keeps a last window that starts in the
          // padding, which PyTorch drops. Floor mode with the end padding that yields PyTorch's size
          // gives the same windows, and shapes that agree everywhere.
          const [, , height, width] = requireShape(layer.inputShape, describe(layer), layer.range);
          padsEnd = [height, width].map((size) => ceilModeEndPad(size!, a.kernel, a.stride, a.padding, a.dilation));
        }
        return g.node(name, 'MaxPool', [x], [
          int('ceil_mode', 0),
          ints('dilations', [a.dilation, a.dilation]),
          ints('kernel_shape', [a.kernel, a.kernel]),
          ints('pads', [a.padding, a.padding, padsEnd[0]!, padsEnd[1]!]),
          ints('strides', [a.stride, a.stride]),
        ]);
      }
      case 'avgpool': {
        const { output } = requireAttrs(layer);
        if (output === 1) return g.node(name, 'GlobalAveragePool', [x]);
        const [, , height, width] = requireShape(layer.inputShape, describe(layer), layer.range);
        if (height === undefined || width === undefined || height % output !== 0 || width % output !== 0) {
          throw new CompileError(
            `unsupported: avgpool(output=${output}) on a ${height}×${width} input cannot be exported to ONNX ` +
              `(adaptive pooling is exported only when the input size is a multiple of the output size)`,
            layer.range,
          );
        }
        const kernel = [height / output, width / output];
        return g.node(name, 'AveragePool', [x], [ints('kernel_shape', kernel), ints('strides', kernel)]);
      }
      case 'flatten':
        return g.node(name, 'Flatten', [x], [int('axis', 1)]);
      case 'dropout':
        return x;
      case 'linear': {
        const a = requireAttrs(layer);
        const inputShape = requireShape(layer.inputShape, describe(layer), layer.range);
        const flat = inputShape.length > 2 ? g.node(`${name}.flatten`, 'Flatten', [x], [int('axis', 1)]) : x;
        const inputs = [flat, g.weight(`${layer.name}.weight`, [a.out_features, a.in_features], layer.range)];
        if (a.bias) inputs.push(g.weight(`${layer.name}.bias`, [a.out_features], layer.range));
        return g.node(name, 'Gemm', inputs, [int('transB', 1)]);
      }
      case 'se': {
        const a = requireAttrs(layer);
        const pooled = g.node(`${name}.avgpool`, 'GlobalAveragePool', [x]);
        const fc1 = g.node(`${name}.fc1`, 'Conv', [
          pooled,
          g.weight(`${layer.name}.fc1.weight`, [a.hidden, a.channels, 1, 1], layer.range),
          g.weight(`${layer.name}.fc1.bias`, [a.hidden], layer.range),
        ]);
        const relu = g.node(`${name}.relu`, 'Relu', [fc1]);
        const fc2 = g.node(`${name}.fc2`, 'Conv', [
          relu,
          g.weight(`${layer.name}.fc2.weight`, [a.channels, a.hidden, 1, 1], layer.range),
          g.weight(`${layer.name}.fc2.bias`, [a.channels], layer.range),
        ]);
        const gate = g.node(`${name}.sigmoid`, 'Sigmoid', [fc2]);
        return g.node(name, 'Mul', [x, gate]);
      }
    }
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
    const [, inChannels, height, width] = requireShape(node.shortcutInputShape, 'the shortcut input', node.range);
    const outChannels = requireShape(node.outputShape, 'the residual add', node.range)[1];
    const stride = node.stride ?? 1;
    if (!Number.isInteger(stride) || stride < 1) throw new CompileError(`a zeropad shortcut needs a whole stride, not ${stride}`, node.range);
    if (inChannels === undefined || height === undefined || width === undefined || outChannels === undefined) {
      throw new CompileError('a zeropad shortcut needs a feature map [N, C, H, W]', node.range);
    }
    let value = x;
    if (stride !== 1) {
      const i64 = (values: number[]) => new BigInt64Array(values.map(BigInt));
      value = g.node(`${blockName}.shortcut.subsample`, 'Slice', [
        x,
        g.constant(`${blockName}.shortcut.starts`, [2], i64([0, 0])),
        g.constant(`${blockName}.shortcut.ends`, [2], i64([height, width])),
        g.constant(`${blockName}.shortcut.axes`, [2], i64([2, 3])),
        g.constant(`${blockName}.shortcut.steps`, [2], i64([stride, stride])),
      ]);
    }
    const extra = outChannels - inChannels;
    if (extra < 0) throw new CompileError('a zeropad shortcut cannot reduce the number of channels', node.range);
    if (extra === 0) return value;
    const before = Math.floor(extra / 2);
    const pads = new BigInt64Array([0, before, 0, 0, 0, extra - before, 0, 0].map(BigInt));
    return g.node(`${blockName}.shortcut.pad`, 'Pad', [value, g.constant(`${blockName}.shortcut.pads`, [8], pads)]);
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
