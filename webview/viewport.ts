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

/**
 * The first view: actual size, the diagram's start (its top, or left when it runs left to right) at
 * the pane's edge, centred across the pane where it is narrower; the rest is a scroll away.
 */
export function startTransform(content: { width: number; height: number }, pane: { width: number; height: number }, direction: 'TB' | 'LR', scale = 1): ViewTransform {
  if (direction === 'TB') return { scale, x: Math.max(0, (pane.width - content.width * scale) / 2), y: 0 };
  return { scale, x: 0, y: Math.max(0, (pane.height - content.height * scale) / 2) };
}

/** Fit: the diagram's width (height left to right) in the pane, never enlarged, from its start: a deep network is then scrolled, not shrunk unreadably. */
export function fitAcross(content: { width: number; height: number }, pane: { width: number; height: number }, direction: 'TB' | 'LR'): ViewTransform {
  const across = direction === 'TB' ? pane.width / content.width : pane.height / content.height;
  const along = direction === 'TB' ? pane.height / content.height : pane.width / content.width;
  // A diagram that fits whole at a readable size is shown whole.
  const scale = clampScale(Math.min(1, along >= 0.6 ? Math.min(across, along) : across));
  return startTransform(content, pane, direction, scale);
}

/** Keeps a box that moved (from `before` to `after`, diagram coordinates) where it was on screen: the view follows it. */
export function keepInPlace(view: ViewTransform, before: { x: number; y: number }, after: { x: number; y: number }): ViewTransform {
  return { ...view, x: view.x - (after.x - before.x) * view.scale, y: view.y - (after.y - before.y) * view.scale };
}
