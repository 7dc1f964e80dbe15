// The preview's view of a network: the analysed tree turned into nodes (layers, adds, shortcut
// layers), edges carrying tensor shapes, and the stage/block groups that fold. Pure data in, pure
// data out, so the language server can build it and the webview can lay it out without the core.

import { formatAxes } from './format';
import type { AddNode, BlockNode, Diagnostic, LayerNode, MergeNode, ModelNode, Network, Shape } from './model';
import type { Span } from './syntax';
import { formatDims, formatShape } from './format';
import { layerName } from './walk';

/** 'merge': `cat(a, b)`, `a + b`, `a * b` of a block's named values; 'reuse': a shared module applied again. */
export type GraphNodeKind = 'input' | 'layer' | 'add' | 'shortcut' | 'output' | 'merge' | 'reuse';

export type GraphDiagnostic = Pick<Diagnostic, 'code' | 'severity' | 'message' | 'span'>;

export interface GraphNode {
  /** Unique in the graph; stable while the statements before it do not change. */
  id: string;
  kind: GraphNodeKind;
  /** Dotted torchvision name ('layer1.0.conv1'); anonymous layers take their op after the parent's name. */
  name: string;
  /** 'conv', 'batchnorm', …, 'add', 'zeropad', 'input', 'output', 'cat', 'mul'. */
  op: string;
  /** The key arguments, short: '7×7, 64, /2'. */
  args: string;
  /** Id of the innermost group holding the node. */
  parent?: string;
  /** For the layers of a projection or zeropad shortcut: the add they feed. */
  shortcutOf?: string;
  /** For a 'reuse' node: the id of the layer or group whose module (and weights) it applies again. */
  shares?: string;
  /** For a layer whose module a reuse applies again, and for the reuse: how often the module is applied in all. */
  uses?: number;
  outputShape?: Shape;
  params: number;
  macs: number;
  /** The statement of the network that made the node (for a node inside a block: the call). */
  range: Span;
  diagnostics: GraphDiagnostic[];
}

export interface GraphGroup {
  id: string;
  kind: 'stage' | 'block';
  name: string;
  /** Name of the block definition. */
  block: string;
  /** Blocks in a stage; 1 for a single block. */
  repeat: number;
  args: string;
  parent?: string;
  inputShape?: Shape;
  outputShape?: Shape;
  params: number;
  macs: number;
  range: Span;
  diagnostics: GraphDiagnostic[];
  /** For a block whose module a reuse applies again: how often it is applied in all (2 or more). */
  uses?: number;
}

/**
 * 'flow' follows the main path; 'skip' carries a value around it: the block input to the add (through
 * the shortcut layers, if any), or a named value read further on (the input of a concatenation).
 */
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'flow' | 'skip';
  shape?: Shape;
  /** On the skip path of an add that fails: the problem on the block's line, for this instance. */
  diagnostics?: GraphDiagnostic[];
}

export interface Graph {
  network: string;
  range: Span;
  input?: number[];
  outputShape?: Shape;
  params: number;
  macs: number;
  /** In execution order; a shortcut's layers come right before their add. */
  nodes: GraphNode[];
  /** Parents before children. */
  groups: GraphGroup[];
  edges: GraphEdge[];
  /** Diagnostics in the network that belong to no node or group (a missing input, say). */
  diagnostics: GraphDiagnostic[];
}

/**
 * Builds the graph of one analysed network; `diagnostics` are the file's, and those inside the
 * network are attached where they point. With the analysed `text`, a stage or block called from the
 * network shows its call as written ('bottleneck(128) x4 stride=2') rather than every argument with
 * its default.
 */
export function buildGraph(network: Network, diagnostics: readonly Diagnostic[] = [], text?: string): Graph {
  const builder = new GraphBuilder(text, diagnostics.filter((d) => d.instances));
  const input = builder.node({
    kind: 'input',
    name: 'input',
    op: 'input',
    args: network.input ? formatDims(network.input) : '?',
    outputShape: network.input ? [1, ...network.input] : undefined,
    params: 0,
    macs: 0,
    range: network.nameRange,
  });
  const last = builder.sequence(network.children, undefined, input, input);
  builder.countReuses();
  const output = builder.node({ kind: 'output', name: 'output', op: 'output', args: '', outputShape: network.outputShape, params: 0, macs: 0, range: network.nameRange });
  builder.flow(last, output);

  const graph: Graph = {
    network: network.name,
    range: network.range,
    input: network.input,
    outputShape: network.outputShape,
    params: Number(network.params),
    macs: Number(network.macs),
    nodes: builder.nodes,
    groups: builder.groups,
    edges: builder.edges,
    diagnostics: [],
  };
  attachDiagnostics(graph, diagnostics);
  return graph;
}

type NewNode = Omit<GraphNode, 'id' | 'diagnostics'>;

class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly groups: GraphGroup[] = [];
  readonly edges: GraphEdge[] = [];
  private readonly ids = new Set<string>();
  private readonly groupNames = new Map<string, string>();
  /** Nodes and groups by id, for counting the uses of a shared module. */
  private readonly modules = new Map<string, GraphNode | GraphGroup>();

  constructor(
    private readonly text?: string,
    /** Problems on the lines of the file's blocks, each naming the instances it occurs in. */
    private readonly blockProblems: readonly Diagnostic[] = [],
  ) {}

  node(fields: NewNode): GraphNode {
    const node: GraphNode = { id: this.uniqueId(`n:${fields.name}`), ...fields, diagnostics: [] };
    this.nodes.push(node);
    this.modules.set(node.id, node);
    return node;
  }

  flow(from: GraphNode, to: GraphNode): void {
    this.edges.push({ from: from.id, to: to.id, kind: 'flow', shape: from.outputShape });
  }

  /**
   * Emits the nodes of `children` after `previous`; returns the node giving their value (the child
   * `output` names, else the last on the main path). A child reads the previous one, or the named
   * values its `inputs` list ('input': `blockInput`).
   */
  sequence(children: ModelNode[], parent: string | undefined, previous: GraphNode, blockInput: GraphNode, output?: string): GraphNode {
    const values = new Map<string, GraphNode>([['input', blockInput]]);
    /** Per value id: the layer or group that made it, the module a later reuse applies. */
    const moduleOf = new Map<string, string>();
    let last = previous;
    for (const child of children) {
      let module: string | undefined;
      const sources = child.inputs?.flatMap((id) => values.get(id) ?? []) ?? [last];
      const from = sources[0] ?? last;
      const parentName = parent ? this.groupName(parent) : '';
      switch (child.kind) {
        case 'layer': {
          const node = this.layer(child, parent, child.label && !child.name ? `${parentName}.${child.label}` : layerName(child, parentName), 'layer');
          this.flow(from, node);
          last = node;
          module = node.id;
          break;
        }
        case 'add':
          last = this.add(child, parent, from, blockInput);
          break;
        case 'block': {
          const group = this.group(child, 'block', child.block, 1, this.callText(child, parent) ?? argsText(child.args), parent);
          last = this.sequence(child.children, group.id, from, from, child.output);
          module = group.id;
          break;
        }
        case 'stage': {
          const firstBlock = child.children[0]?.kind === 'block' ? child.children[0] : undefined;
          const stage = this.group(child, 'stage', child.block, child.repeat, this.callText(child, parent) ?? stageArgs(firstBlock?.args), parent);
          last = this.sequence(child.children, stage.id, from, blockInput);
          module = stage.id;
          break;
        }
        case 'merge':
        case 'reuse': {
          const label = child.label ?? (child.kind === 'merge' ? child.op : child.name.split('.').at(-1)!);
          const node = this.node({
            kind: child.kind,
            name: child.kind === 'reuse' ? child.name : parentName ? `${parentName}.${label}` : label,
            op: child.kind === 'merge' ? child.op : 'shared',
            args: child.kind === 'merge' ? mergeArgs(child) : (child.label ?? ''),
            parent,
            outputShape: child.outputShape,
            params: 0,
            macs: Number(child.macs),
            range: child.range,
            ...(child.kind === 'reuse' && moduleOf.has(child.target) ? { shares: moduleOf.get(child.target) } : {}),
          });
          if (node.shares) this.countUse(node.shares);
          // The value coming from just before runs along the main path; the others join it from the side.
          const onPath = sources.includes(last) ? last : from;
          for (const source of sources) this.edges.push({ from: source.id, to: node.id, kind: source === onPath ? 'flow' : 'skip', shape: source.outputShape });
          last = node;
          break;
        }
      }
      if (child.id) values.set(child.id, last);
      if (child.id && module) moduleOf.set(child.id, module);
    }
    return (output && values.get(output)) || last;
  }

  private add(add: AddNode, parent: string | undefined, mainLast: GraphNode, blockInput: GraphNode): GraphNode {
    const shortcutLayers = add.layers.map((layer) => this.layer(layer, parent, layer.name, 'shortcut'));
    // A zeropad that neither subsamples nor pads is an identity in all but name: an edge is enough.
    if (add.shortcut === 'zeropad' && zeropadArgs(add) !== '') {
      shortcutLayers.push(
        this.node({ kind: 'shortcut', name: `${add.name}.zeropad`, op: 'zeropad', args: zeropadArgs(add), parent, outputShape: add.outputShape, params: 0, macs: 0, range: add.range }),
      );
    }
    const node = this.node({
      kind: 'add',
      name: add.name ? `${add.name}.add` : 'add',
      op: 'add',
      args: add.shortcut ?? add.written,
      parent,
      outputShape: add.outputShape,
      params: 0,
      macs: 0,
      range: add.range,
    });
    for (const layer of shortcutLayers) layer.shortcutOf = node.id;
    node.diagnostics.push(...this.problemsOf(add, add.name));
    const marked = node.diagnostics.length > 0 ? { diagnostics: node.diagnostics } : {};
    this.flow(mainLast, node);
    let from = blockInput;
    let shape = add.shortcutInputShape ?? blockInput.outputShape;
    for (const layer of shortcutLayers) {
      this.edges.push({ from: from.id, to: layer.id, kind: 'skip', shape, ...marked });
      from = layer;
      shape = layer.outputShape;
    }
    this.edges.push({ from: from.id, to: node.id, kind: 'skip', shape, ...marked });
    return node;
  }

  /** Each reuse carries the count of its module's uses, known once every reuse is made. */
  countReuses(): void {
    for (const node of this.nodes) if (node.shares) node.uses = this.modules.get(node.shares)?.uses;
  }

  private countUse(id: string): void {
    const module = this.modules.get(id);
    if (module) module.uses = (module.uses ?? 1) + 1;
  }

  /** The problems on the block line that made `model`, for the instance it belongs to. */
  private problemsOf(model: ModelNode, instance: string): GraphDiagnostic[] {
    const where = model.definition;
    if (!where || where.source !== 'file') return [];
    return this.blockProblems
      .filter((d) => d.instances!.includes(instance) && contains(where.span, d.span))
      .map((d) => ({ code: d.code, severity: d.severity, message: d.message, span: d.span }));
  }

  private layer(layer: LayerNode, parent: string | undefined, name: string, kind: 'layer' | 'shortcut'): GraphNode {
    const node = this.nodeOf(layer, parent, name, kind);
    node.diagnostics.push(...this.problemsOf(layer, layer.name.slice(0, layer.name.lastIndexOf('.'))));
    return node;
  }

  private nodeOf(layer: LayerNode, parent: string | undefined, name: string, kind: 'layer' | 'shortcut'): GraphNode {
    return this.node({
      kind,
      name,
      op: layer.op,
      args: layerArgs(layer),
      parent,
      outputShape: layer.outputShape,
      params: Number(layer.params),
      macs: Number(layer.macs),
      range: layer.range,
    });
  }

  private group(node: ModelNode & { name: string }, kind: 'stage' | 'block', block: string, repeat: number, args: string, parent: string | undefined): GraphGroup {
    const group: GraphGroup = {
      id: this.uniqueId(`g:${node.name}`),
      kind,
      name: node.name,
      block,
      repeat,
      args,
      parent,
      inputShape: node.inputShape,
      outputShape: node.outputShape,
      params: Number(node.params),
      macs: Number(node.macs),
      range: node.range,
      diagnostics: [],
    };
    this.groups.push(group);
    this.modules.set(group.id, group);
    this.groupNames.set(group.id, node.name);
    return group;
  }

  /** The call as written, for a statement of the network itself (nested calls share their caller's range). */
  private callText(node: ModelNode & { name: string }, parent: string | undefined): string | undefined {
    if (parent || this.text === undefined) return undefined;
    const text = this.text.slice(node.range.start, node.range.end).replace(/\s+/g, ' ').trim();
    const call = text.startsWith(`${node.name} `) ? text.slice(node.name.length + 1) : text;
    return call || undefined;
  }

  private groupName(id: string): string {
    return this.groupNames.get(id) ?? '';
  }

  private uniqueId(wanted: string): string {
    let id = wanted;
    for (let i = 2; this.ids.has(id); i++) id = `${wanted}#${i}`;
    this.ids.add(id);
    return id;
  }
}

/** The arguments a reader looks for first, in the order the diagram shows them. */
export function layerArgs(layer: LayerNode): string {
  if (!layer.attrs) return '?';
  switch (layer.op) {
    case 'conv': {
      const a = layer.attrs;
      const parts = [a.kernel.join('×'), String(a.out_channels)];
      if (a.stride.some((x) => x !== 1)) parts.push(`/${formatAxes(a.stride)}`);
      if (a.groups !== 1) parts.push(`g${a.groups}`);
      if (a.dilation.some((x) => x !== 1)) parts.push(`d${formatAxes(a.dilation)}`);
      if (a.bias) parts.push('bias');
      return parts.join(', ');
    }
    case 'batchnorm':
      return String(layer.attrs.num_features);
    case 'maxpool': {
      const a = layer.attrs;
      return [a.kernel.join('×'), ...(a.stride.some((x) => x !== 1) ? [`/${formatAxes(a.stride)}`] : [])].join(', ');
    }
    case 'avgpool': {
      const a = layer.attrs;
      if (a.kernel.some((k) => k > 0)) return [a.kernel.join('×'), ...(a.stride.some((x) => x !== 1) ? [`/${formatAxes(a.stride)}`] : [])].join(', ');
      return `→${a.output.join('×')}`;
    }
    case 'linear':
      return `${layer.attrs.in_features}→${layer.attrs.out_features}`;
    case 'dropout':
      return `p=${layer.attrs.p}`;
    case 'leaky_relu':
      return `${layer.attrs.negative_slope}`;
    case 'se':
      return `${layer.attrs.channels}→${layer.attrs.hidden}→${layer.attrs.channels}`;
    case 'slice':
      return `ch ${layer.attrs.start}:${layer.attrs.end}`;
    default:
      return '';
  }
}

/** A concatenation's channels ('64+32'); nothing for an element-wise merge (its shape is on the edge). */
function mergeArgs(merge: MergeNode): string {
  return merge.op === 'cat' && merge.attrs ? merge.attrs.sizes.join('+') : '';
}

function zeropadArgs(add: AddNode): string {
  const input = add.shortcutInputShape;
  const output = add.outputShape;
  const parts: string[] = [];
  if (add.stride?.some((x) => x !== 1)) parts.push(`/${formatAxes(add.stride)}`);
  if (input && output && output[1] !== input[1]) parts.push(`+${output[1] - input[1]} ch`);
  return parts.join(', ');
}

function argsText(args: BlockNode['args']): string {
  return Object.entries(args)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? formatAxes(value) : value}`)
    .join(', ');
}

/** A stage's arguments are its first block's; the defaults the reader did not write are left out. */
function stageArgs(args: BlockNode['args'] | undefined): string {
  return args ? argsText(args) : '';
}

/** The preview's name for the one shape notation (format.ts). */
export const tensorLabel = formatShape;

const contains = (outer: Span, inner: Span) => outer.start <= inner.start && inner.end <= outer.end;
const size = (span: Span) => span.end - span.start;

/**
 * Puts each diagnostic on the element whose source range holds it most tightly. Layers expanded
 * from a block share their call site's range, so a tie goes to the outermost group: a problem at
 * `layer2 bottleneck(128) x4` marks the stage, not every layer in it.
 */
function attachDiagnostics(graph: Graph, diagnostics: readonly Diagnostic[]): void {
  const depth = new Map<string, number>();
  for (const group of graph.groups) depth.set(group.id, group.parent ? (depth.get(group.parent) ?? 0) + 1 : 0);
  const candidates: { range: Span; rank: number; list: GraphDiagnostic[] }[] = [
    ...graph.groups.map((g) => ({ range: g.range, rank: depth.get(g.id) ?? 0, list: g.diagnostics })),
    ...graph.nodes.filter((n) => n.kind !== 'input' && n.kind !== 'output').map((n) => ({ range: n.range, rank: 1000, list: n.diagnostics })),
  ];
  for (const d of diagnostics) {
    if (!contains(graph.range, d.span)) continue;
    const entry: GraphDiagnostic = { code: d.code, severity: d.severity, message: d.message, span: d.span };
    let best: (typeof candidates)[number] | undefined;
    for (const c of candidates) {
      if (!contains(c.range, d.span)) continue;
      if (!best || size(c.range) < size(best.range) || (size(c.range) === size(best.range) && c.rank < best.rank)) best = c;
    }
    (best?.list ?? graph.diagnostics).push(entry);
  }
}
