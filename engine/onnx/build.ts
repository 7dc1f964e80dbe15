// Compiles an analysed Network and its weights into an ONNX ModelProto (IR 8, opset 17).
// Node and initializer names are the torchvision keys, so a model exported here reads like
// torchvision's module tree; anonymous layers get their enclosing block's name plus the op.
import type { AddNode, LayerNode, ModelNode, Network, Shape, WeightSpec } from '../../language/core/model';
import { merges, ops } from '../../language/core/ops';
import type { OnnxAttribute, OnnxEmitter, ResolvedLayer } from '../../language/core/ops/op';
import type { Span } from '../../language/core/syntax';
import { layerName } from '../../language/core/walk';
import { encodeModel } from './encode';
import { FOLDED_METADATA, foldBatchnorm } from './fold-batchnorm';
import { AttributeType, DataType } from './proto';

export const IR_VERSION = 8;
export const OPSET = 17;
export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'logits';
/** The input's and output's first dimension: any batch size runs in one session. */
export const BATCH_DIM = 'batch';

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

  private readonly initialized = new Set<string>();

  weight({ key, shape }: WeightSpec): string {
    // A shared module (applied twice) reads its initializers again.
    if (this.initialized.has(key)) return key;
    const values = this.weights.get(key);
    if (!values) throw new CompileError(`no weights for ${key}`, this.range);
    const count = shape.reduce((a, b) => a * b, 1);
    if (values.length !== count) {
      throw new CompileError(`${key} has ${values.length} values, expected [${shape.join(', ')}] = ${count}`, this.range);
    }
    this.used.add(key);
    this.initialized.add(key);
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
  /** The value that entered `tap`, once it has been lowered. */
  tapped: string | undefined;

  constructor(
    private readonly graph: GraphBuilder,
    private readonly tap?: LayerNode,
  ) {}

  /**
   * Emits `nodes`, whose input is the value `input`, inside the block `blockName`; returns the output
   * value (the node `output` names, else the last). A node reads the previous node's value, or the
   * values its `inputs` name ('input': the block's input).
   */
  sequence(nodes: readonly ModelNode[], input: string, blockName: string, blockInput: string | undefined, output?: string): string {
    const values = new Map<string, string>(blockInput === undefined ? [] : [['input', blockInput]]);
    const modules = new Map<string, ModelNode>();
    let value = input;
    for (const node of nodes) {
      const xs = node.inputs?.map((id) => {
        const x = values.get(id);
        if (x === undefined) throw new CompileError(`the value ${id} read here is not computed before it`, node.range);
        return x;
      }) ?? [value];
      value = this.node(node, xs, blockName, blockInput, modules);
      if (node.id) {
        values.set(node.id, value);
        modules.set(node.id, node);
      }
    }
    if (output === undefined) return value;
    const result = values.get(output);
    if (result === undefined) throw new CompileError(`the block output ${output} is not computed`);
    return result;
  }

  private node(node: ModelNode, xs: string[], blockName: string, blockInput: string | undefined, modules: Map<string, ModelNode>): string {
    const x = xs[0];
    switch (node.kind) {
      case 'layer':
        return this.layer(node, x, blockName);
      case 'add':
        if (blockInput === undefined) throw new CompileError('a residual add must be inside a block', node.range);
        return this.add(node, x, blockInput, blockName);
      case 'block':
        return this.sequence(node.children, x, node.name, x, node.output);
      case 'stage':
        return this.sequence(node.children, x, node.name, blockInput);
      case 'merge': {
        if (!node.attrs) throw new CompileError(`the shapes of this ${node.op} are unknown; fix the errors above it first`, node.range);
        this.graph.range = node.range;
        return merges[node.op].lower(this.graph, xs, `${blockName ? blockName + '.' : ''}${node.label ?? node.op}`, node.attrs);
      }
      case 'reuse': {
        const target = modules.get(node.target);
        if (!target) throw new CompileError(`the module ${node.name} applied here is not defined before it`, node.range);
        return this.node(target, [x], blockName, blockInput, modules);
      }
    }
  }

  private layer(layer: LayerNode, x: string, blockName: string): string {
    requireAttrs(layer);
    requireShape(layer.inputShape, describe(layer), layer.range);
    requireShape(layer.outputShape, describe(layer), layer.range);
    this.graph.range = layer.range;
    if (layer === this.tap) this.tapped = x;
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

/** [batch, ...rest]: the network's shape with its leading 1 made the dynamic batch dimension. */
function tensorType(rest: readonly number[]) {
  const dim = [{ dim_param: BATCH_DIM }, ...rest.map((d) => ({ dim_value: d }))];
  return { tensor_type: { elem_type: DataType.FLOAT, shape: { dim } } };
}

export interface OnnxMetadata {
  /** Written into the model's metadata_props, e.g. { weights: 'random (seed 0)' }. */
  [key: string]: string;
}

export interface BuildOptions {
  /** Also output the value that enters this layer (the feature map of a class activation map): the graph's second output, 'features' unless a layer has that name. */
  exposeInputOf?: LayerNode;
  /** Keep each BatchNormalization as its own node instead of folding it into the conv before it (fold-batchnorm.ts). */
  keepBatchnorm?: boolean;
  /** The caller will not use the weights again: folding may overwrite the convs' arrays instead of copying them. */
  consumeWeights?: boolean;
}

/** The ModelProto as a plain object (protobufjs field names). */
export function buildModel(network: Network, weights: ReadonlyMap<string, Float32Array>, metadata: OnnxMetadata = {}, options: BuildOptions = {}) {
  if (!network.input) throw new CompileError(`network ${network.name} has no input statement`, network.nameRange);
  if (!network.outputShape) throw new CompileError(`the output shape of network ${network.name} is unknown`, network.nameRange);
  const graph = new GraphBuilder(weights);
  const compiler = new NetworkCompiler(graph, options.exposeInputOf);
  const result = compiler.sequence(network.children, INPUT_NAME, '', undefined);
  if (result === INPUT_NAME) {
    graph.nodes.push({ name: OUTPUT_NAME, op_type: 'Identity', input: [INPUT_NAME], output: [OUTPUT_NAME], attribute: [] });
  } else {
    for (const node of graph.nodes) {
      node.output = node.output.map((v) => (v === result ? OUTPUT_NAME : v));
      node.input = node.input.map((v) => (v === result ? OUTPUT_NAME : v));
    }
  }
  const outputs = [{ name: OUTPUT_NAME, type: tensorType(network.outputShape.slice(1)) }];
  const exposed = options.exposeInputOf;
  if (exposed) {
    if (compiler.tapped === undefined || !exposed.inputShape) throw new CompileError('the layer whose input was to be exposed is not in the network', exposed.range);
    const features = graph.node('features', 'Identity', [compiler.tapped]);
    outputs.push({ name: features, type: tensorType(exposed.inputShape.slice(1)) });
  }
  const body = { node: graph.nodes, initializer: graph.initializers };
  const folded = !options.keepBatchnorm && foldBatchnorm(body, options.consumeWeights) > 0;
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'resnet-studio',
    producer_version: '0.1.0',
    metadata_props: Object.entries({ ...metadata, ...(folded ? FOLDED_METADATA : {}) }).map(([key, value]) => ({ key, value })),
    graph: {
      name: network.name,
      ...body,
      input: [{ name: INPUT_NAME, type: tensorType(network.input) }],
      output: outputs,
    },
  };
}

/** The serialised ONNX model. */
export function compileToOnnx(
  network: Network,
  weights: ReadonlyMap<string, Float32Array>,
  metadata: OnnxMetadata = {},
  options: BuildOptions = {},
): Uint8Array {
  return encodeModel(buildModel(network, weights, metadata, options));
}
