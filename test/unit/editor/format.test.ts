// The one notation for shapes and counts (language/core/format.ts), and the inlay hint that must never
// cut a shape mid-number.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDims, formatScaled, formatShape, macsText } from '../../../language/core/format';
import { shapeLabel } from '../../../language/server/inlay-hints';

test('shapes are C×H×W without the batch; flat features one number; unknown ?', () => {
  assert.equal(formatShape([1, 64, 112, 112]), '64×112×112');
  assert.equal(formatShape([1, 1000]), '1000');
  assert.equal(formatShape(undefined), '?');
  assert.equal(formatDims([64, 3, 7, 7]), '64×3×7×7');
});

test('counts take their unit one space after the number, with an SI prefix', () => {
  assert.equal(macsText(0n), '0 MACs');
  assert.equal(macsText(512n), '512 MACs');
  assert.equal(macsText(31_019_520n), '31.02 MMACs');
  assert.equal(macsText(4_089_184_256n), '4.09 GMACs');
  assert.equal(formatScaled(2n * 4_089_184_256n, 'FLOPs'), '8.18 GFLOPs');
});

test('an inlay hint holds whole shapes only, within VS Code’s 43 characters, and says how many it leaves out', () => {
  assert.equal(shapeLabel(['64×56×56']), '→ 64×56×56');
  assert.equal(shapeLabel(['256×56×56', '512×28×28']), '→ 256×56×56 | 512×28×28');
  const many = ['32×128×128', '64×64×64', '128×32×32', '256×16×16', '512×8×8'];
  const label = shapeLabel(many);
  assert.ok(label.length <= 43, label);
  assert.match(label, /^→ 32×128×128 \| 64×64×64 \| \+3 more$/);
});
