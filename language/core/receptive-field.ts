// Receptive fields: how many input pixels (along one side) can influence one output position of each
// node, and the jump (the input distance between neighbouring output positions). Along one side
// means the wider of height and width (a clip's frames are not pixels). Standard recurrence:
// a window of effective size k and stride s gives r' = r + (k − 1)·j, j' = j·s. A residual add takes
// the larger field of its two paths. Unknown (an upstream error) stays unknown.

import type { ModelNode, Network } from './model';

export interface ReceptiveField {
  size: number;
  jump: number;
}

export function receptiveFields(network: Network): Map<ModelNode, ReceptiveField> {
  const fields = new Map<ModelNode, ReceptiveField>();
  const visit = (nodes: ModelNode[], input: ReceptiveField | undefined): ReceptiveField | undefined => {
    let field = input;
    for (const node of nodes) {
      field = field && nodeField(node, field);
      if (field) fields.set(node, field);
    }
    return field;
  };
  const nodeField = (node: ModelNode, input: ReceptiveField): ReceptiveField | undefined => {
    switch (node.kind) {
      case 'layer':
        return layerField(node, input);
      case 'block':
        return blockField(node.children, input);
      case 'stage':
        return visit(node.children, input);
      case 'add':
        return input;
    }
  };
  const blockField = (children: ModelNode[], input: ReceptiveField): ReceptiveField | undefined => {
    let field: ReceptiveField | undefined = input;
    for (const child of children) {
      if (!field) break;
      if (child.kind === 'add') {
        // The shortcut carries the block input, subsampled by its stride: its field is the input's.
        const shortcut = { size: input.size, jump: input.jump * spatial(child.stride ?? [1]) };
        for (const layer of child.layers) fields.set(layer, shortcut);
        field = { size: Math.max(field.size, shortcut.size), jump: field.jump };
      } else field = nodeField(child, field);
      if (field) fields.set(child, field);
    }
    return field;
  };
  visit(network.children, { size: 1, jump: 1 });
  return fields;
}

function layerField(node: Extract<ModelNode, { kind: 'layer' }>, input: ReceptiveField): ReceptiveField | undefined {
  if (!node.outputShape) return undefined;
  const window = (kernel: number, stride: number, dilation = 1) => ({ size: input.size + dilation * (kernel - 1) * input.jump, jump: input.jump * stride });
  const inputSize = node.inputShape && node.inputShape.length >= 4 ? spatial(node.inputShape.slice(2)) : undefined;
  switch (node.op) {
    case 'conv':
    case 'maxpool':
      return node.attrs && window(spatial(node.attrs.kernel), spatial(node.attrs.stride), spatial(node.attrs.dilation));
    case 'avgpool': {
      if (node.attrs?.kernel.some((k) => k > 0)) return window(spatial(node.attrs.kernel), spatial(node.attrs.stride));
      // Adaptive pooling: windows of about input/output positions.
      if (!node.attrs || inputSize === undefined) return undefined;
      const output = spatial(node.attrs.output);
      const stride = Math.max(1, Math.floor(inputSize / output));
      return window(Math.ceil(inputSize / output), stride);
    }
    case 'flatten':
    case 'linear':
      // Every feature of a flat input may come from anywhere in the map it was flattened from.
      return inputSize === undefined ? input : window(inputSize, inputSize);
    default:
      return input;
  }
}

/** The larger of the height and width values of a per-axis list ([H, W] or [T, H, W]). */
function spatial(values: readonly number[]): number {
  return Math.max(...values.slice(-2));
}
