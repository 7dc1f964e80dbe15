import type { LayerNode, ModelNode, Network, WeightSpec } from '../core/model';

/** Every layer of the network in execution order, projection shortcut layers included. */
export function allLayers(network: Network): LayerNode[] {
  const layers: LayerNode[] = [];
  const visit = (nodes: readonly ModelNode[]): void => {
    for (const node of nodes) {
      if (node.kind === 'layer') layers.push(node);
      else if (node.kind === 'add') layers.push(...node.layers);
      else visit(node.children);
    }
  };
  visit(network.children);
  return layers;
}

export interface OwnedWeight {
  spec: WeightSpec;
  layer: LayerNode;
}

/** The network's state_dict entries, keyed by torchvision key, each with the layer that owns it. */
export function expectedWeights(network: Network): Map<string, OwnedWeight> {
  const weights = new Map<string, OwnedWeight>();
  for (const layer of allLayers(network)) {
    for (const spec of layer.weights) weights.set(spec.key, { spec, layer });
  }
  return weights;
}
