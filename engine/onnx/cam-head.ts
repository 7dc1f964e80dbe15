// Which networks have a class activation map (Zhou et al., 2016): those whose head is global average
// pooling followed by one linear layer (dropout or flatten between them allowed), as every ResNet here.
// For them the map of class c is Σ_k w[c,k]·A_k over the feature map A that enters the pooling:
// H'×W' for an image, T'×H'×W' for a clip (a C×T×H×W network ending in global 3-D average pooling).
import type { AvgPoolAttrs, LayerNode, Network } from '../../language/core/model';
import { weightOf } from '../../language/core/ops/op';
import { flattenLayers } from '../../language/core/walk';

export interface CamHead {
  /** The global average pooling; its input is the feature map A. */
  pool: LayerNode;
  /** The linear layer's weight key: [classes, channels]. */
  weightKey: string;
  classes: number;
  channels: number;
  /** T' of a clip's feature map; 1 for an image's. */
  depth: number;
  height: number;
  width: number;
}

const PASS_THROUGH = new Set<LayerNode['op']>(['flatten', 'dropout']);

/** The network's CAM head, or undefined when its head is anything else (then occlusion is the method). */
export function camHead(network: Network): CamHead | undefined {
  const last = network.children.at(-1);
  if (last?.kind !== 'layer' || last.op !== 'linear' || !last.inputShape || !last.outputShape) return undefined;
  const layers = flattenLayers(network);
  let i = layers.length - 2;
  while (i >= 0 && PASS_THROUGH.has(layers[i]!.layer.op)) i--;
  const pool = layers[i]?.layer;
  if (!pool || pool.op !== 'avgpool' || !network.children.includes(pool)) return undefined;
  const attrs = pool.attrs as AvgPoolAttrs | undefined;
  if (!attrs || attrs.kernel.some((k) => k > 0) || attrs.output.some((o) => o !== 1)) return undefined;
  const shape = pool.inputShape;
  if (!shape || (shape.length !== 4 && shape.length !== 5)) return undefined;
  const [, channels] = shape as [number, number];
  const [depth, height, width] = (shape.length === 5 ? shape.slice(2) : [1, ...shape.slice(2)]) as [number, number, number];
  const classes = last.outputShape[1]!;
  if (last.inputShape[1] !== channels) return undefined;
  return { pool, weightKey: weightOf(last, 'weight').key, classes, channels, depth, height, width };
}
