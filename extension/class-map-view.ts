// The worker's class maps as the results view draws them: heat maps at the size of the image the
// network saw (engine/runtime/cam-overlay.ts), and the overlays beside an evaluation's mistakes.
// No vscode import: unit tests run it directly.
import { camOverlay, heatmap } from '../engine/runtime/cam-overlay';
import type { CamMaps } from '../engine/runtime/cam';
import type { ClassMapsView, PixelsView } from '../contracts/results';
import type { InputResult, SeenImage } from '../contracts/worker';

export function pixelsView(image: SeenImage): PixelsView {
  const { width, height, channels, pixels } = image;
  return { width, height, channels, base64: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64') };
}

/** Each class's map as an RGB heat map at `seen`'s size, for the overlay and its class choice. */
export function classMapsView(cam: CamMaps, seen: SeenImage, name: (index: number) => string): ClassMapsView {
  return {
    method: cam.method,
    height: cam.height,
    width: cam.width,
    ...(cam.clip ? { clip: cam.clip } : {}),
    classes: cam.maps.map(({ index, values }) => ({
      index,
      name: name(index),
      heat: pixelsView({ width: seen.width, height: seen.height, channels: 3, pixels: heatmap(values, cam.height, cam.width, seen.height, seen.width) }),
    })),
  };
}

/** The top-1 map blended over what the network saw, when the worker sent both. */
export function topOverlay(result: InputResult): PixelsView | undefined {
  const map = result.cam?.maps[0];
  if (!map || !result.seen || !result.cam) return undefined;
  return pixelsView(camOverlay(map.values, result.cam.height, result.cam.width, result.seen));
}
