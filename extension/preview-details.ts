// The host's side of the preview's details panel: a layer's weight keys and shapes from the op
// table, and, when the network declares a weights file, each tensor's statistics read from that
// safetensors file (plain file reads in the extension host; no native code).

import { isAbsolute, resolve } from 'node:path';
import { analyze } from '../language/core/analysis';
import { flattenLayers } from '../language/core/walk';
import type { Graph } from '../language/core/graph';
import { SafetensorsFile } from '../engine/onnx/safetensors';
import type { LayerDetails, WeightStats } from '../contracts/preview';

/** min, max, mean and standard deviation (with Bessel's correction, as torch.std) of the finite values; the others counted. */
export function tensorStats(values: Float32Array): WeightStats {
  let count = 0;
  let nonFinite = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count > 0 ? sum / count : Number.NaN;
  let squares = 0;
  for (const v of values) if (Number.isFinite(v)) squares += (v - mean) ** 2;
  return { min: count > 0 ? min : Number.NaN, max: count > 0 ? max : Number.NaN, mean, std: count > 1 ? Math.sqrt(squares / (count - 1)) : 0, nonFinite };
}

export interface DetailsSource {
  text: string;
  /** The document's folder, for a relative weights path; undefined for an unsaved document. */
  folder: string | undefined;
  /** May weights files be read (false in Restricted Mode)? */
  trusted: boolean;
  /** How a path is shown to the user. */
  show(path: string): string;
}

/** The details of node `id` of `graph` (the one the webview shows), or undefined when it is not a layer of it. */
export async function layerDetails(source: DetailsSource, graph: Graph, id: string): Promise<LayerDetails | undefined> {
  const node = graph.nodes.find((n) => n.id === id);
  if (!node || (node.kind !== 'layer' && node.kind !== 'shortcut')) return undefined;
  const network = analyze(source.text).networks.find((n) => n.name === graph.network);
  const layer = network && flattenLayers(network).find((l) => l.name === node.name)?.layer;
  if (!network || !layer) return undefined;
  const weights = layer.weights.map((w) => ({ key: w.key, shape: w.shape, kind: w.kind }));
  if (weights.length === 0) return { weights };
  const declared = network.weights?.path;
  if (declared === undefined) return { weights, note: `Network ${network.name} declares no weights file: no statistics.` };
  if (!source.trusted) return { weights, note: 'Restricted Mode: trust the workspace to read the weights file.' };
  const path = isAbsolute(declared) ? declared : source.folder === undefined ? undefined : resolve(source.folder, declared);
  if (path === undefined) return { weights, note: `Save the file to read its weights "${declared}".` };
  let file: SafetensorsFile;
  try {
    file = await SafetensorsFile.open(path);
  } catch (error) {
    return { weights, note: (error as Error).message };
  }
  try {
    const read: LayerDetails['weights'] = [];
    const missing: string[] = [];
    for (const w of weights) {
      const entry = file.header.tensors.get(w.key);
      if (!entry) {
        missing.push(w.key);
        read.push(w);
        continue;
      }
      const stats = entry.dtype === 'F32' || entry.dtype === 'F16' || entry.dtype === 'BF16' ? tensorStats(await file.readFloat32(w.key)) : undefined;
      read.push({ ...w, ...(stats ? { stats } : {}) });
    }
    const shown = source.show(path);
    return { weights: read, file: shown, ...(missing.length > 0 ? { note: `Statistics from ${shown}; not in it: ${missing.join(', ')}` } : {}) };
  } finally {
    await file.close();
  }
}
