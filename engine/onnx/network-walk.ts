import type { LayerNode, Network, WeightSpec } from '../../language/core/model';
import { flattenLayers } from '../../language/core/walk';

/** Every layer of the network in execution order, projection shortcut layers included. */
export function allLayers(network: Network): LayerNode[] {
  return flattenLayers(network).map((entry) => entry.layer);
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
