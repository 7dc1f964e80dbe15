// Where the network looked, for one class: the class activation map (Zhou et al., 2016) for networks
// whose head is global average pooling and a linear layer (engine/onnx/cam-head.ts), computed from the
// feature map the same run outputs; for any other head, occlusion sensitivity: the drop of the class's
// probability when a patch of the input is set to zero (the dataset mean, after normalisation).
// A clip's maps are those of the frame its result shows (contracts/worker.ts shownFrame): its CAM is
// the T'×H'×W' map interpolated along time to that frame (cam-overlay.ts frameOfVolume); occlusion
// hides each patch in every frame, so its one map holds for the whole clip.
// Pure: the worker runs the model, this file does the arithmetic.
import { softmax } from './classes';

export type CamMethod = 'cam' | 'occlusion';

/** Maps for some classes, at the feature map's resolution (CAM) or the occlusion grid's. */
export interface CamMaps {
  method: CamMethod;
  height: number;
  width: number;
  /** For a clip: the maps are of frame `frame` (zero-based) of the `frames` taken; a CAM was interpolated from the feature map's `depth` time steps. */
  clip?: { frame: number; frames: number; depth?: number };
  /** One map per class asked for, row-major. */
  maps: { index: number; values: Float32Array }[];
}

/** Σ_k w[c,k]·A_k: `features` is A as [C, H, W], `weight` the linear layer's [classes, C]. */
export function classActivationMap(features: Float32Array, channels: number, size: number, weight: Float32Array, classIndex: number): Float32Array {
  const map = new Float32Array(size);
  const row = classIndex * channels;
  for (let k = 0; k < channels; k++) {
    const w = weight[row + k]!;
    if (w === 0) continue;
    const offset = k * size;
    for (let p = 0; p < size; p++) map[p]! += w * features[offset + p]!;
  }
  return map;
}

/** Occlusion grid cells per side: at most this many, and no more than the input has pixels. */
export const OCCLUSION_GRID = 7;

export interface Patch {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The grid's cells, row-major: rows ⌊i·H/G⌋ to ⌊(i+1)·H/G⌋, columns likewise, covering the input once. */
export function occlusionPatches(height: number, width: number, grid = OCCLUSION_GRID): { rows: number; columns: number; patches: Patch[] } {
  const rows = Math.min(grid, height);
  const columns = Math.min(grid, width);
  const patches: Patch[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      patches.push({
        top: Math.floor((i * height) / rows),
        bottom: Math.floor(((i + 1) * height) / rows),
        left: Math.floor((j * width) / columns),
        right: Math.floor(((j + 1) * width) / columns),
      });
    }
  }
  return { rows, columns, patches };
}

/** A copy of the [1, C, H, W] (or clip's [1, C, T, H, W]) input with the patch zeroed in every channel and frame. */
export function occludedInput(data: Float32Array, dims: readonly number[], patch: Patch): Float32Array {
  const [height, width] = dims.slice(-2) as [number, number];
  const planes = data.length / (height * width);
  const out = new Float32Array(data);
  for (let c = 0; c < planes; c++) {
    for (let y = patch.top; y < patch.bottom; y++) out.fill(0, (c * height + y) * width + patch.left, (c * height + y) * width + patch.right);
  }
  return out;
}

/** Per patch, p(class | input) − p(class | input with the patch occluded), for each class asked for. */
export function occlusionMaps(baseLogits: ArrayLike<number>, occludedLogits: ArrayLike<number>[], rows: number, columns: number, classes: number[]): CamMaps {
  const base = softmax(baseLogits);
  const occluded = occludedLogits.map((logits) => softmax(logits));
  return {
    method: 'occlusion',
    height: rows,
    width: columns,
    maps: classes.map((index) => ({ index, values: Float32Array.from(occluded, (p) => base[index]! - p[index]!) })),
  };
}

/** A map as rows of numbers, as `infer --cam --json` prints it. */
export function mapRows(values: ArrayLike<number>, height: number, width: number): number[][] {
  return Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => values[y * width + x]!));
}
