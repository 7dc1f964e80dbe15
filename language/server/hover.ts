// Hover: on a layer its input → output shape, params, MACs, receptive field and weight keys; on a stage
// or block call the blocks it expands to and their totals; on a network's name its totals. Inside a
// block definition a statement stands for every instance of the block, so the hover shows the first
// and how the others differ. On a named value of a block (`conv2` in `cat(input, conv2)`, `out` in
// `out = …`, `input`) where it comes from and its shape in each instance.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import { formatAxes, formatCount, formatDims, formatScaled, formatShape, macsText } from '../core/format';
import { instanceList } from '../core/block-sites';
import { contains, declarationAt, networkOf, statementAt } from '../core/locate';
import { statementText, valueAt, valueInstances, type ValueSource } from '../core/named-values';
import type { BlockNode, LayerNode, ModelNode, Network, Shape } from '../core/model';
import { receptiveFields, type ReceptiveField } from '../core/receptive-field';
import { symbolAt } from '../core/symbols';
import type { BlockDeclaration, Span } from '../core/syntax';
import { allNodes, flattenLayers } from '../core/walk';
import { toHover } from './convert';
import type { Documents } from './documents';
import { symbolsOf } from './navigation';

export function registerHover(connection: Connection, documents: Documents): void {
  connection.onHover((params, token) => {
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed || token.isCancellationRequested) return null;
    const { analysis } = analysed;
    const hover = hoverAt(analysis, analysis.lines.offset(params.position));
    return hover ? toHover(hover.markdown, hover.span, analysis.lines) : null;
  });
}

export function hoverAt(analysis: Analysis, offset: number): { markdown: string; span: Span } | undefined {
  const declaration = declarationAt(analysis, offset);
  if (!declaration) return undefined;
  if (declaration.kind === 'network' && contains(declaration.name.span, offset)) {
    const network = networkOf(analysis, declaration);
    return network && { markdown: networkHover(network), span: declaration.name.span };
  }
  if (declaration.kind === 'block' && declaration.name.kind === 'identifier' && contains(declaration.name.span, offset)) {
    return { markdown: blockHover(analysis, declaration.name.text, analysis.text.slice(declaration.span.start, declaration.body.span.start).trim()), span: declaration.name.span };
  }
  const value = declaration.kind === 'block' ? namedValueHover(analysis, declaration, offset) : undefined;
  if (value) return value;
  const statement = statementAt(declaration, offset);
  if (!statement || (statement.kind !== 'call' && statement.kind !== 'add')) return undefined;
  const instances = analysis.sourceMap.nodesOf('file', statement.span);
  if (instances.length === 0) return undefined;
  // On a block's line, the problems its instances have: the hover shows the first failing instance.
  const problems = analysis.diagnostics.filter((d) => d.instances && contains(statement.span, d.span.start));
  const failing = new Set(problems.flatMap((d) => d.instances!));
  const { network, node } = instances.find((i) => failing.has(instanceOf(i.node))) ?? instances[0];
  const fields = fieldsOf(network);
  const parts = [...problems.map((d) => `**✗ fails in ${instanceList(d.instances!)}** (${d.code})`), nodeHover(node, network, fields.get(node))];
  if (instances.length > 1) parts.push(instancesNote(instances.map((i) => i.node)));
  return { markdown: parts.join('\n\n'), span: statement.span };
}

/** The block instance a node belongs to: an add is named after its block, a layer after its block and itself. */
const instanceOf = (node: ModelNode) => (node.kind === 'add' ? node.name : node.name.slice(0, node.name.lastIndexOf('.')));

const fieldCache = new WeakMap<Network, Map<ModelNode, ReceptiveField>>();
function fieldsOf(network: Network): Map<ModelNode, ReceptiveField> {
  let fields = fieldCache.get(network);
  if (!fields) fieldCache.set(network, (fields = receptiveFields(network)));
  return fields;
}

const code = (text: string) => `\`${text}\``;
const transition = (input: Shape | undefined, output: Shape | undefined) => code(`${formatShape(input)} → ${formatShape(output)}`);
const totals = (n: { params: bigint; macs: bigint }) => `${formatCount(n.params)} params · ${macsText(n.macs)}`;

function fieldText(field: ReceptiveField | undefined, network: Network): string {
  if (!field) return '';
  const side = network.input ? Math.max(...network.input.slice(-2)) : Infinity;
  return ` · receptive field ${field.size}×${field.size} px${field.size >= side ? ' (the whole input)' : ''}`;
}

export function networkHover(network: Network): string {
  const layers = flattenLayers(network);
  const keys = layers.reduce((n, l) => n + l.layer.weights.length, 0);
  return [
    `**network ${network.name}**`,
    code(`${network.input ? formatDims(network.input) : '?'} → ${formatShape(network.outputShape)}`),
    `${totals(network)} · ${formatScaled(2n * network.macs, 'FLOPs')}`,
    `${layers.length} layers · ${keys} weight keys${network.weights ? ` · weights ${code(network.weights.path)}` : ''}`,
  ].join('  \n');
}

function describeLayer(layer: LayerNode): string {
  switch (layer.op) {
    case 'conv': {
      const a = layer.attrs;
      if (!a) return 'conv';
      const not = (values: number[], v: number) => values.some((x) => x !== v);
      const extras = [not(a.stride, 1) && `stride ${formatAxes(a.stride)}`, not(a.padding, 0) && `padding ${formatAxes(a.padding)}`, not(a.dilation, 1) && `dilation ${formatAxes(a.dilation)}`, a.groups !== 1 && `groups ${a.groups}`, a.bias && 'bias'].filter(Boolean);
      return `conv ${a.kernel.join('×')}${extras.length ? ', ' + extras.join(', ') : ''}`;
    }
    case 'maxpool':
      return layer.attrs ? `maxpool ${layer.attrs.kernel.join('×')}, stride ${formatAxes(layer.attrs.stride)}` : 'maxpool';
    case 'avgpool':
      if (!layer.attrs) return 'avgpool';
      if (layer.attrs.kernel.some((k) => k > 0)) return `avgpool ${layer.attrs.kernel.join('×')}, stride ${formatAxes(layer.attrs.stride)}${layer.attrs.padding.some((p) => p > 0) ? `, padding ${formatAxes(layer.attrs.padding)}` : ''}`;
      return `adaptive avgpool to ${layer.attrs.output.join('×')}`;
    default:
      return layer.op;
  }
}

const weightLine = (layer: LayerNode) => layer.weights.map((w) => `${code(w.key)} ${w.shape.length ? formatDims(w.shape) : 'scalar'}`).join('  \n');

function nodeHover(node: ModelNode, network: Network, field: ReceptiveField | undefined): string {
  const head = (title: string) => `**${node.name || title}** · ${title}`;
  const measure = `${transition(node.inputShape, node.outputShape)}  \n${totals(node)}${fieldText(field, network)}`;
  switch (node.kind) {
    case 'layer':
      return [head(describeLayer(node)), measure, node.weights.length ? weightLine(node) : 'no weights'].join('  \n');
    case 'add': {
      const shortcut = node.shortcut === 'projection' ? `projection shortcut (1×1 conv, stride ${node.stride ? formatAxes(node.stride) : '?'}, + batchnorm)` : `${node.shortcut ?? node.written} shortcut`;
      const lines = [`**residual add** · ${shortcut}`, `${code(formatShape(node.outputShape))} + shortcut of ${code(formatShape(node.shortcutInputShape))}`, totals(node)];
      for (const layer of node.layers) lines.push(weightLine(layer));
      return lines.join('  \n');
    }
    case 'block':
      return [`**${node.name}** · block ${node.block}(${argsText(node.args)})`, measure, childTable(node.children), keysLine(node)].join('\n\n');
    case 'stage':
      return [`**${node.name}** · ${node.repeat} × ${node.block}`, measure, childTable(node.children), keysLine(node)].join('\n\n');
    case 'merge': {
      const symbol = { cat: ' ‖ ', add: ' + ', mul: ' × ' }[node.op];
      const title = `**${node.label ?? node.op}** · ${node.op === 'cat' ? 'concatenation along channels' : node.op === 'add' ? 'element-wise sum' : 'element-wise product'}`;
      return [title, `${node.inputShapes.map((s) => code(formatShape(s))).join(symbol)} → ${code(formatShape(node.outputShape))}`].join('  \n');
    }
    case 'reuse':
      return [`**${node.label ?? node.name}** · ${code(node.name)} applied again (shared weights)`, measure].join('  \n');
  }
}

const argsText = (args: BlockNode['args']) => Object.entries(args).map(([k, v]) => `${k}=${Array.isArray(v) ? formatAxes(v) : v}`).join(', ');

/** Rows beyond this are summed up in one line, so a hover fits without scrolling. */
const tableRows = 8;

function childTable(children: ModelNode[]): string {
  const shown = children.length > tableRows ? children.slice(0, tableRows - 1) : children;
  const rows = shown.map((c) => `| ${c.name || (c.kind === 'layer' ? c.op : c.kind)} | ${formatShape(c.outputShape)} | ${formatCount(c.params)} | ${macsText(c.macs)} |`);
  if (shown.length < children.length) {
    const rest = children.slice(shown.length);
    rows.push(`| … ${rest.length} more | ${formatShape(rest[rest.length - 1].outputShape)} | ${formatCount(rest.reduce((n, c) => n + c.params, 0n))} | ${macsText(rest.reduce((n, c) => n + c.macs, 0n))} |`);
  }
  return ['| | output | params | MACs |', '|---|---|--:|--:|', ...rows].join('\n');
}

function keysLine(node: ModelNode): string {
  const keys = [...allNodes([node])].flatMap((n) => (n.kind === 'layer' ? n.weights.map((w) => w.key) : []));
  if (keys.length === 0) return 'no weights';
  return `${keys.length} weight keys: ${code(keys[0])} … ${code(keys[keys.length - 1])}`;
}

function instancesNote(nodes: ModelNode[]): string {
  const shapes = [...new Set(nodes.map((n) => `${formatShape(n.inputShape)} → ${formatShape(n.outputShape)}`))];
  const listed = shapes.slice(0, 4).map(code).join(', ') + (shapes.length > 4 ? ', …' : '');
  return `${nodes.length} instances (${nodes[0].name} … ${nodes[nodes.length - 1].name})${shapes.length > 1 ? `: ${listed}` : ''}`;
}

/** On a block's name where it is declared: its signature and every instance the networks make of it. */
function blockHover(analysis: Analysis, name: string, signature: string): string {
  const instances = analysis.networks.flatMap((network) => [...allNodes(network.children)].filter((n) => n.kind === 'block' && n.block === name));
  const lines = [code(signature)];
  if (instances.length === 0) lines.push('not used by any network of this file');
  else {
    const params = [...new Set(instances.map((n) => formatCount(n.params)))];
    lines.push(`${instances.length} instance${instances.length === 1 ? '' : 's'} (${instances[0].name}${instances.length > 1 ? ` … ${instances[instances.length - 1].name}` : ''}) · params ${params.slice(0, 4).join(', ')}${params.length > 4 ? ', …' : ''}`);
  }
  return lines.join('  \n');
}

/** On a name that reads a block's value (or a `name = …` that binds one): the statement it comes from and its shape in each instance. */
function namedValueHover(analysis: Analysis, declaration: BlockDeclaration, offset: number): { markdown: string; span: Span } | undefined {
  const token = analysis.tokens.find((t) => t.kind === 'identifier' && t.span.start <= offset && offset <= t.span.end);
  if (!token) return undefined;
  const symbol = symbolAt(symbolsOf(analysis), offset);
  const reads = symbol && (symbol.kind === 'value' || (symbol.kind === 'layer' && !contains(symbol.declaration, offset)));
  const isInput = !symbol && token.text === 'input' && statementAt(declaration, offset)?.kind !== 'input';
  if (!reads && !isInput) return undefined;
  const source = valueAt(declaration, token.text, offset);
  if (!source) return undefined;
  const applied = source !== 'input' && source.statement.kind === 'call' && analysis.tokens.find((t) => t.span.start >= token.span.end)?.text === '(';
  return { markdown: valueHover(analysis, declaration, token.text, source, applied), span: token.span };
}

/** Where the value comes from and its shape in each instance; for a module applied again (`mlp(x)`), the module's input → output. */
function valueHover(analysis: Analysis, declaration: BlockDeclaration, name: string, source: ValueSource, applied: boolean): string {
  const block = declaration.name.kind === 'identifier' ? declaration.name.text : '';
  const written = (s: { span: Span }) => `${code(statementText(analysis, s.span))} (line ${analysis.lines.position(s.span.start).line + 1})`;
  const origin =
    source === 'input'
      ? `the input of block '${block}'`
      : applied
        ? `the module of ${written(source.statement)} applied again: one set of weights`
        : `${source.statement.kind === 'let' ? 'bound by' : 'the output of'} ${written(source.statement)}`;
  const instances = valueInstances(analysis, declaration, source);
  const groups = new Map<string, string[]>();
  for (const i of instances) {
    const shape = applied ? `${formatShape(i.input)} → ${formatShape(i.shape)}` : formatShape(i.shape);
    groups.set(shape, [...(groups.get(shape) ?? []), i.instance]);
  }
  const shown = [...groups].slice(0, 4).map(([shape, names]) => `${code(shape)} in ${names[0]}${names.length > 1 ? ` and ${names.length - 1} more` : ''}`);
  const shapes = instances.length === 0 ? 'no network of this file calls this block' : shown.join('  \n') + (groups.size > 4 ? '  \n…' : '');
  return [`**${name}** · ${origin}`, shapes].join('  \n');
}
