// The few DOM helpers every part of the results view uses besides `el` (../page.ts). Text goes in
// through textContent only; sizes and colours through the CSSOM (the page's CSP allows no inline style
// attributes).
import type { PixelsView } from '../../contracts/results';
import { el } from '../page';

/** Draws uint8 HWC pixels (1 or 3 channels) on a canvas at their own size; CSS scales it up. */
export function pixelsCanvas(pixels: PixelsView): HTMLCanvasElement {
  const canvas = el('canvas');
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  const bytes = Uint8Array.from(atob(pixels.base64), (c) => c.charCodeAt(0));
  const rgba = new ImageData(pixels.width, pixels.height);
  for (let p = 0; p < pixels.width * pixels.height; p++) {
    for (let c = 0; c < 3; c++) rgba.data[p * 4 + c] = bytes[p * pixels.channels + (pixels.channels === 1 ? 0 : c)]!;
    rgba.data[p * 4 + 3] = 255;
  }
  canvas.getContext('2d')?.putImageData(rgba, 0, 0);
  return canvas;
}

export function figure(media: HTMLElement, caption: string | HTMLElement): HTMLElement {
  const f = el('figure');
  const figcaption = el('figcaption');
  if (typeof caption === 'string') figcaption.textContent = caption;
  else figcaption.append(caption);
  f.append(media, figcaption);
  return f;
}

export const percent = (value: number | null | undefined, digits = 2) => (value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(digits)}%`);
export const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;
