// Zoom and pan as a transform of the diagram into the pane. Pure arithmetic.

import type { ViewTransform } from '../contracts/preview';

export const minScale = 0.02;
export const maxScale = 4;

const clampScale = (scale: number) => Math.min(maxScale, Math.max(minScale, scale));

/** The whole diagram in the pane, centred, never enlarged beyond `largest`. */
export function fitTransform(content: { width: number; height: number }, pane: { width: number; height: number }, largest = 1): ViewTransform {
  const scale = clampScale(Math.min(largest, pane.width / content.width, pane.height / content.height));
  return { scale, x: (pane.width - content.width * scale) / 2, y: (pane.height - content.height * scale) / 2 };
}

/** Zooms by `factor` keeping the diagram point under (px, py) in place. */
export function zoomAt(view: ViewTransform, factor: number, px: number, py: number): ViewTransform {
  const scale = clampScale(view.scale * factor);
  const k = scale / view.scale;
  return { scale, x: px - (px - view.x) * k, y: py - (py - view.y) * k };
}

/** Pans so that the box (diagram coordinates) is centred in the pane; unchanged when it is already fully visible. */
export function reveal(view: ViewTransform, box: { x: number; y: number; w: number; h: number }, pane: { width: number; height: number }, always = false): ViewTransform {
  const left = view.x + box.x * view.scale;
  const top = view.y + box.y * view.scale;
  const visible = left >= 0 && top >= 0 && left + box.w * view.scale <= pane.width && top + box.h * view.scale <= pane.height;
  if (visible && !always) return view;
  return { scale: view.scale, x: pane.width / 2 - (box.x + box.w / 2) * view.scale, y: pane.height / 2 - (box.y + box.h / 2) * view.scale };
}
