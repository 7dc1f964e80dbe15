// Numbers and shapes as every consumer prints them (editor, preview, table, CLI), so they agree.

import type { Shape } from './model';

/**
 * The one shape notation: C×H×W, the batch dimension (always 1) left out as `input 3x224x224` leaves it
 * out; '512' for flat features, '?' when unknown (after an error).
 */
export function formatShape(shape: Shape | undefined): string {
  return shape ? formatDims(shape.slice(1)) : '?';
}

/** Sizes written out in full (a weight's, an input tensor's, an image's): 64×3×7×7. */
export function formatDims(dims: readonly number[]): string {
  return dims.join('×');
}

/** Exact for counts (bigint) at any size: 4089184256 → '4,089,184,256'. */
export function formatCount(n: bigint | number): string {
  return (typeof n === 'bigint' ? n : Math.round(n)).toLocaleString('en-US');
}

/**
 * A count with an SI prefix before its unit, one space after the number: '4.09 GMACs', '31.02 MMACs',
 * '0 MACs', '512 MACs'; `unit` is 'MACs' or 'FLOPs'.
 */
export function formatScaled(count: bigint | number, unit: 'MACs' | 'FLOPs'): string {
  const n = Number(count);
  const prefixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, prefix] of prefixes) if (n >= scale) return `${(n / scale).toFixed(2)} ${prefix}${unit}`;
  return `${n} ${unit}`;
}

export const macsText = (count: bigint | number) => formatScaled(count, 'MACs');

/** A per-axis value as the language writes it: `2` when every axis agrees, else `(1, 2, 2)`. */
export function formatAxes(values: readonly number[]): string {
  return values.every((v) => v === values[0]) ? String(values[0]) : `(${values.join(', ')})`;
}
