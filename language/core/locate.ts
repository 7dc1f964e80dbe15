// What sits at an offset: the declaration and statement under the cursor, and the analysed model
// nodes a statement produced (one per network statement, one per block instance inside a block).

import type { Analysis } from './analysis';
import type { ModelNode, Network } from './model';
import type { Declaration, NetworkDeclaration, Span, Statement } from './syntax';
import { allNodes } from './walk';

export const contains = (span: Span, offset: number) => span.start <= offset && offset <= span.end;

export function declarationAt(analysis: Analysis, offset: number): Declaration | undefined {
  return analysis.tree.declarations.find((d) => contains(d.span, offset));
}

export function statementAt(declaration: Declaration, offset: number): Statement | undefined {
  return declaration.body.statements.find((s) => contains(s.span, offset));
}

/** The analysed network of a network declaration (networks are analysed in declaration order). */
export function networkOf(analysis: Analysis, declaration: NetworkDeclaration): Network | undefined {
  const index = analysis.tree.declarations.filter((d) => d.kind === 'network').indexOf(declaration);
  return index < 0 ? undefined : analysis.networks[index];
}

/**
 * The model nodes a statement of the file produced: for a statement of a network, the node it made;
 * for a statement inside a block written in this file, the node of every instance of that block, in
 * network order. Add nodes come before the projection layers they own.
 */
export function nodesOfStatement(analysis: Analysis, declaration: Declaration, statement: Statement): { network: Network; node: ModelNode }[] {
  const found: { network: Network; node: ModelNode }[] = [];
  if (declaration.kind === 'network') {
    const network = networkOf(analysis, declaration);
    const node = network?.children.find((n) => n.range.start === statement.span.start);
    if (network && node) found.push({ network, node });
    return found;
  }
  for (const network of analysis.networks) {
    // A projection shortcut's conv and batchnorm share the add statement's place; the add stands for them.
    const projectionLayers = new Set<ModelNode>();
    for (const node of allNodes(network.children)) {
      if (node.kind === 'add') node.layers.forEach((layer) => projectionLayers.add(layer));
      const definition = node.definition;
      if (definition?.source === 'file' && !projectionLayers.has(node) && definition.span.start === statement.span.start) found.push({ network, node });
    }
  }
  return found;
}
