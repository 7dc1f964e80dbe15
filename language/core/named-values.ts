// A block's named values as the editor shows them: which statement a name read at some place in the
// block stands for (the last binding above it, or the block's `input`), and that value's shape in
// every instance of the block (hover, completion).

import type { Analysis } from './analysis';
import type { ModelNode, Network, Shape } from './model';
import { blockBindings, type Binding } from './symbols';
import type { BlockDeclaration, Span } from './syntax';
import { allNodes } from './walk';

export type ValueSource = Binding | 'input';

/** The value `name` stands for at `offset` in the block: its binding above that statement (or the one `offset` names), or the block input. */
export function valueAt(declaration: BlockDeclaration, name: string, offset: number): ValueSource | undefined {
  let found: ValueSource | undefined = name === 'input' ? 'input' : undefined;
  for (const b of blockBindings(declaration)) {
    const own = b.name.span.start <= offset && offset <= b.name.span.end;
    if (!own && b.statement.span.end >= offset) break;
    if (b.name.text === name) found = b.kind === 'value' ? b : undefined;
    if (own) break;
  }
  return found;
}

export interface ValueInstance {
  /** The block instance: 'features.denseblock1.denselayer1'. */
  instance: string;
  shape?: Shape;
  /** What the statement that made the value read (a module's input, where it is written). */
  input?: Shape;
}

/** The value's shape in each instance of the block, in network order (empty when no network calls the block). */
export function valueInstances(analysis: Analysis, declaration: BlockDeclaration, value: ValueSource): ValueInstance[] {
  const name = declaration.name.kind === 'identifier' ? declaration.name.text : '';
  if (value === 'input') {
    return analysis.networks.flatMap((network) => [...allNodes(network.children)].filter((n) => n.kind === 'block' && n.block === name).map((n) => ({ instance: n.name, shape: n.inputShape, input: n.inputShape })));
  }
  const made = madeBy(declaration, value);
  if ('alias' in made) return made.alias ? valueInstances(analysis, declaration, made.alias) : [];
  return analysis.sourceMap.nodesOf('file', made).map(({ network, node }) => ({ instance: parentsOf(network).get(node) ?? '', shape: node.outputShape, input: node.inputShape }));
}

/** The span of the node that carries the binding's value, or the value it renames (`out = conv2`). */
function madeBy(declaration: BlockDeclaration, value: Binding): Span | { alias: ValueSource | undefined } {
  const s = value.statement;
  if (s.kind !== 'let') return s.span;
  let e = s.value;
  while (e.kind === 'paren') e = e.inner;
  if (e.kind !== 'name') return e.span;
  // A name is always bound above the statement that reads it, so following aliases ends.
  return { alias: valueAt(declaration, e.name, s.span.start) };
}

const parents = new WeakMap<Network, Map<ModelNode, string>>();
/** Each node inside a block instance, with that instance's name. */
function parentsOf(network: Network): Map<ModelNode, string> {
  let map = parents.get(network);
  if (!map) {
    parents.set(network, (map = new Map()));
    for (const node of allNodes(network.children)) if (node.kind === 'block') for (const child of node.children) map.set(child, node.name);
  }
  return map;
}

/** 'conv2 conv(growth, kernel=3, padding=1)': a statement's first line, shortened, for hover and completion. */
export function statementText(analysis: Analysis, span: Span): string {
  const line = analysis.text.slice(span.start, span.end).split('\n')[0].trim();
  return line.length > 60 ? line.slice(0, 59) + '…' : line;
}
