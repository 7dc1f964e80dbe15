// The network the weights and paths cases load into: 2 channels pooled, then a linear layer of 2.
import assert from 'node:assert/strict';
import { analyze } from '../../../language/core/analysis';
import type { Network } from '../../../language/core/model';

export const tinySource = 'network tiny {\n  input 2x1x1\n  avgpool avgpool\n  fc linear(2)\n}\n';

export function tinyNetwork(): Network {
  const analysis = analyze(tinySource);
  assert.deepEqual(analysis.diagnostics, []);
  return analysis.networks[0]!;
}

export const tinyInput = () => ({ kind: 'tensor' as const, label: 'ones', data: new Float32Array([1, 1]), dims: [1, 2, 1, 1] as [1, number, number, number] });
