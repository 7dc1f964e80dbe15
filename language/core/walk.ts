// Walking the analysed model: the flat, torchvision-ordered list of layers every consumer shows.

import type { LayerNode, ModelNode, Network } from './model';

export interface FlatLayer {
  /** See layerName. */
  name: string;
  layer: LayerNode;
  /** Nesting depth: 0 for layers directly in the network. */
  depth: number;
}

/** A layer's dotted name; an anonymous one takes its op after its parent's name ('layer1.0.relu'), as torchvision's shared modules are named. */
export function layerName(layer: LayerNode, parentName: string): string {
  if (layer.name) return layer.name;
  return parentName ? `${parentName}.${layer.op}` : layer.op;
}

export function flattenLayers(network: Network): FlatLayer[] {
  const out: FlatLayer[] = [];
  const visit = (nodes: ModelNode[], parent: string, depth: number) => {
    for (const node of nodes) {
      switch (node.kind) {
        case 'layer':
          out.push({ name: layerName(node, parent), layer: node, depth });
          break;
        case 'add':
          for (const layer of node.layers) out.push({ name: layer.name, layer, depth });
          break;
        case 'block':
          visit(node.children, node.name, depth + 1);
          break;
        case 'stage':
          visit(node.children, node.name, depth);
          break;
      }
    }
  };
  visit(network.children, '', 0);
  return out;
}

/** Every node in the tree, depth first, parents before children. */
export function* allNodes(nodes: ModelNode[]): Generator<ModelNode> {
  for (const node of nodes) {
    yield node;
    if (node.kind === 'block') yield* allNodes(node.children);
    else if (node.kind === 'stage') yield* allNodes(node.children);
    else if (node.kind === 'add') yield* node.layers;
  }
}
