// Numbers and shapes as every consumer prints them, so the CLI, hovers and the preview agree.

import type { Shape } from './model';

export function formatShape(shape: Shape | undefined): string {
  return shape ? shape.join('×') : '?';
}

/** Exact for counts (bigint) at any size: 4089184256 → '4,089,184,256'. */
export function formatCount(n: bigint | number): string {
  return (typeof n === 'bigint' ? n : Math.round(n)).toLocaleString('en-US');
}

/** 4089184256 → '4.09 G'. */
export function formatMacs(count: bigint | number): string {
  const n = Number(count);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, unit] of units) if (n >= scale) return `${(n / scale).toFixed(2)} ${unit}`;
  return String(n);
}

/** A per-axis value as the language writes it: `2` when every axis agrees, else `(1, 2, 2)`. */
export function formatAxes(values: readonly number[]): string {
  return values.every((v) => v === values[0]) ? String(values[0]) : `(${values.join(', ')})`;
}
