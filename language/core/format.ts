// Numbers and shapes as every consumer prints them, so the CLI, hovers and the preview agree.

import type { Shape } from './model';

export function formatShape(shape: Shape | undefined): string {
  return shape ? shape.join('×') : '?';
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 4089184256 → '4.09 G'. */
export function formatMacs(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, unit] of units) if (n >= scale) return `${(n / scale).toFixed(2)} ${unit}`;
  return String(n);
}
