// The analysed network: what every consumer (language server, preview, ONNX compiler, CLI) reads.
// Pure data, no functions, so it can cross process and webview boundaries as JSON. Places in the
// source are spans (UTF-16 offsets, as in the syntax tree); the edges turn them into lines and columns.

import type { Span } from './syntax';

/** Where a piece of source lives: the analysed document itself, or the prelude that ships with the language. */
export type SourceId = 'file' | 'prelude';

export interface SourceSpan {
  source: SourceId;
  span: Span;
}

export type Severity = 'error' | 'warning' | 'information';

export interface TextEdit {
  span: Span;
  newText: string;
}

/**
 * A candidate quick fix. Consumers offer only the fixes `verifiedFixes` (fix-verification.ts) keeps:
 * applied to the text and re-analysed, they remove the error without adding one.
 */
export interface Fix {
  title: string;
  /** Edits to the analysed document only (never to the prelude). */
  edits: TextEdit[];
  /** A fix where the error shows rather than where it is made: offered only when no fix at the cause verifies. */
  symptom?: boolean;
}

export interface RelatedInformation extends SourceSpan {
  message: string;
}

export interface Diagnostic {
  /** Stable code, e.g. RS0201. The table lives in diagnostics.ts. */
  code: string;
  severity: Severity;
  message: string;
  /**
   * Always in the analysed document. A problem inside a block is reported at the call site, and, when
   * the block is defined in the document, once more on the block's own line (with `instances`).
   */
  span: Span;
  related: RelatedInformation[];
  fixes: Fix[];
  /** On a block's own line: the instances the problem occurs in ('layer1.0', 'layer2.0'). */
  instances?: string[];
}

/** Tensor shape with the batch dimension first: [N, C, H, W] for feature maps, [N, C, T, H, W] for clips, [N, F] after flatten/linear. */
export type Shape = readonly number[];

export type LayerOp =
  | 'conv'
  | 'batchnorm'
  | 'relu'
  | 'relu6'
  | 'leaky_relu'
  | 'sigmoid'
  | 'maxpool'
  | 'avgpool'
  | 'flatten'
  | 'linear'
  | 'dropout'
  | 'se'
  | 'instancenorm'
  | 'global_maxpool'
  | 'channel_mean'
  | 'channel_max'
  | 'unflatten'
  | 'slice';

/** Ops that combine several values of a block (`cat(a, b)`, `a + b`, `a * b`). */
export type MergeOp = 'cat' | 'add' | 'mul';

/**
 * Resolved attributes per op, every default filled in. Window sizes hold one value per spatial axis
 * of the layer's input: [H, W] on a feature map, [T, H, W] on a clip.
 */
export interface ConvAttrs {
  in_channels: number;
  out_channels: number;
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  bias: boolean;
}
export interface BatchNormAttrs {
  num_features: number;
  eps: number;
}
export interface LeakyReluAttrs {
  negative_slope: number;
}
export interface MaxPoolAttrs {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  ceil_mode: boolean;
}
/** Adaptive average pooling to `output` (one size per spatial axis), or (kernel > 0) nn.AvgPool's fixed window, padding counted. */
export interface AvgPoolAttrs {
  output: number[];
  kernel: number[];
  stride: number[];
  padding: number[];
}
/** nn.InstanceNorm2d: per-sample, per-channel statistics; affine weight and bias. */
export interface InstanceNormAttrs {
  num_features: number;
  eps: number;
  affine: boolean;
}
/** A part of the channels, [start, end): what `split(x, size)[i]` and `chunk(x, n)[i]` read. */
export interface SliceAttrs {
  start: number;
  end: number;
}
export interface MergeAttrs {
  /** For add and mul: the broadcast output; for cat: the channels of each input. */
  sizes: number[];
}
export interface LinearAttrs {
  in_features: number;
  out_features: number;
  bias: boolean;
}
export interface DropoutAttrs {
  p: number;
}
/** Squeeze-and-excitation: x * sigmoid(fc2(relu(fc1(avgpool(x))))), fc1/fc2 are 1×1 convs with bias (timm's SEModule keys). */
export interface SeAttrs {
  channels: number;
  hidden: number;
}
export type EmptyAttrs = Record<string, never>;

export interface AttrsByOp {
  conv: ConvAttrs;
  batchnorm: BatchNormAttrs;
  relu: EmptyAttrs;
  relu6: EmptyAttrs;
  leaky_relu: LeakyReluAttrs;
  sigmoid: EmptyAttrs;
  maxpool: MaxPoolAttrs;
  avgpool: AvgPoolAttrs;
  flatten: EmptyAttrs;
  linear: LinearAttrs;
  dropout: DropoutAttrs;
  se: SeAttrs;
  instancenorm: InstanceNormAttrs;
  global_maxpool: EmptyAttrs;
  channel_mean: EmptyAttrs;
  channel_max: EmptyAttrs;
  unflatten: EmptyAttrs;
  slice: SliceAttrs;
}

/** One state_dict entry owned by a layer, e.g. layer1.0.bn1.running_mean. */
export interface WeightSpec {
  key: string;
  shape: number[];
  /** Parameters count towards params; buffers (running stats, num_batches_tracked) do not. */
  kind: 'parameter' | 'buffer';
  /** torch dtype of the entry: float32 except num_batches_tracked (int64). */
  dtype: 'float32' | 'int64';
}

interface NodeBase {
  /** Dotted torchvision name: 'layer2.0.conv1', 'layer2', 'layer2.0'. Empty for an anonymous layer. */
  name: string;
  /** The statement in the analysed document that produced this node (for nodes inside a block: the call site). */
  range: Span;
  /** Where the node is written, when that is inside a block definition (possibly in the prelude). */
  definition?: SourceSpan;
  /** Undefined when it cannot be known (an upstream error); unknown never cascades into more diagnostics. */
  inputShape?: Shape;
  outputShape?: Shape;
  /** Trainable parameters (torchvision's sum(p.numel() for p in parameters())), exact at any size. */
  params: bigint;
  /** Multiply-accumulates of conv and linear layers (torchvision's convention), exact. FLOPs = 2 × MACs. */
  macs: bigint;
  /**
   * Inside a block with named values: the ids of the values the node reads ('input' is the block's
   * input, any other id a node before it in the same children list). Undefined: the previous node's output.
   */
  inputs?: string[];
  /** The node's value id, when a later node reads it by id. */
  id?: string;
  /** The name the file gives the value (`gate` in `gate = sigmoid(…)`), for the diagram and the hover. */
  label?: string;
  /** Made by a function in a tensor expression (`sigmoid(gate)`), not by a statement of its own. */
  fromExpression?: boolean;
}

/** `cat(a, b)`, `a + b`, `a * b`: several values of a block combined by an op of the merge table. */
export interface MergeNode extends NodeBase {
  kind: 'merge';
  op: MergeOp;
  inputs: string[];
  inputShapes: (Shape | undefined)[];
  attrs?: MergeAttrs;
}

/** A module applied again (`mlp(pooled)`): the weights are those of the node `target` (its id), shared. */
export interface ReuseNode extends NodeBase {
  kind: 'reuse';
  /** The id of the node whose module is applied. */
  target: string;
  inputs: string[];
}

export type LayerNode = {
  [Op in LayerOp]: NodeBase & {
    kind: 'layer';
    op: Op;
    /** Undefined when an argument could not be evaluated. */
    attrs?: AttrsByOp[Op];
    weights: WeightSpec[];
  };
}[LayerOp];

export type ShortcutKind = 'identity' | 'projection' | 'zeropad';

/**
 * The residual add: output = main + shortcut(block input). For 'projection' the shortcut owns a 1×1
 * conv + BN named `<block>.downsample.0` and `.1`; 'zeropad' is the paper's option A (subsample by
 * stride, zero-pad channels equally on both sides, as in the CIFAR ResNets).
 */
export interface AddNode extends NodeBase {
  kind: 'add';
  /** As written: 'shortcut' is torchvision's automatic rule. */
  written: 'shortcut' | ShortcutKind;
  /** Resolved kind; undefined when shapes are unknown. */
  shortcut?: ShortcutKind;
  /** Shape of the block input that flows through the shortcut. */
  shortcutInputShape?: Shape;
  /** Stride of the shortcut per spatial axis (projection conv stride or zeropad subsampling). */
  stride?: number[];
  /** For projection: the conv and batchnorm layers. Empty otherwise. */
  layers: LayerNode[];
}

/** An instance of a `block` definition. Its input is the input of every AddNode directly inside it. */
export interface BlockNode extends NodeBase {
  kind: 'block';
  /** Name of the block definition, e.g. 'bottleneck'. */
  block: string;
  args: Record<string, number | boolean | string | number[]>;
  /** A `sequential` declaration: nn.Sequential, its children named by position. */
  sequential?: boolean;
  children: ModelNode[];
  /** The id of the child whose value is the block's output, when it is not the last child's. */
  output?: string;
}

/**
 * A repeated call, nn.Sequential's meaning: `layer2 bottleneck(128) x4 stride=2` (blocks) or
 * `c conv(4, kernel=3) x3` (layers); children are named layer2.0 … layer2.3.
 */
export interface StageNode extends NodeBase {
  kind: 'stage';
  /** The block or layer op repeated. */
  block: string;
  repeat: number;
  children: (BlockNode | LayerNode)[];
  /** `denselayer* …`: children named `<name>1 … <name>N` rather than `<name>.0 …`. */
  numbered?: boolean;
}

export type ModelNode = LayerNode | AddNode | BlockNode | StageNode | MergeNode | ReuseNode;

export interface PreprocessSpec {
  /** The preset it was written as (`preprocess kinetics`); absent for a section of steps. */
  preset?: string;
  /** Resize so the shorter side is this long (bilinear, antialias), or to exactly [h, w]. */
  resize?: number | [number, number];
  /** False: resize as torchvision resizes a uint8 tensor (a video frame), bilinear without antialias. */
  antialias?: boolean;
  centerCrop?: [number, number];
  /** Convert to grayscale (to the network's input channels, 1 or 3). */
  grayscale: boolean;
  mean: number[];
  std: number[];
  range: Span;
}

export interface PathDeclaration {
  path: string;
  range: Span;
}

export interface Network {
  name: string;
  range: Span;
  nameRange: Span;
  /** [C, H, W] from `input CxHxW`, or [C, T, H, W] for a clip from `input CxTxHxW`. */
  input?: number[];
  weights?: PathDeclaration;
  labels?: PathDeclaration;
  preprocess?: PreprocessSpec;
  children: ModelNode[];
  outputShape?: Shape;
  params: bigint;
  macs: bigint;
}
