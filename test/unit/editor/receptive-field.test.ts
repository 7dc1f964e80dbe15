// Receptive fields by the recurrence r' = r + (k − 1)·d·j, j' = j·s, checked on hand-computed cases
// and on torchvision's ResNet-18 and ResNet-50, whose last stages see 435 and 427 pixels.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { receptiveFields } from '../../../language/core/receptive-field';
import { repoRoot } from '../examples';

function fieldsByName(text: string): Record<string, string> {
  const network = analyze(text).networks[0];
  const fields = receptiveFields(network);
  return Object.fromEntries(network.children.map((n) => [n.name || (n.kind === 'layer' ? n.op : n.kind), `${fields.get(n)?.size}/${fields.get(n)?.jump}`]));
}

test('plain layers: kernel, stride and dilation', () => {
  const fields = fieldsByName(`network n {
  input 3x64x64
  a conv(8, kernel=3)
  b conv(8, kernel=3, stride=2)
  c conv(8, kernel=3, dilation=2, padding=2)
  maxpool(kernel=2)
}`);
  // a: 1 + 2 = 3 (jump 1); b: 3 + 2 = 5 (jump 2); c: effective kernel 5 → 5 + 4·2 = 13; pool: 13 + 1·2 = 15 (jump 4).
  assert.deepEqual(fields, { a: '3/1', b: '5/2', c: '13/2', maxpool: '15/4' });
});

test('a residual block takes the larger field of its two paths', () => {
  const fields = fieldsByName(`network n {
  input 3x32x32
  stem conv(8, kernel=3, padding=1)
  b1 pair(16, stride=2)
}
block pair(planes, stride=1) {
  conv1 conv(planes, kernel=3, stride=stride, padding=1)
  conv2 conv(planes, kernel=3, padding=1)
  + shortcut
}`);
  // stem 3; conv1 3 + 2 = 5 (jump 2); conv2 5 + 2·2 = 9; the projection shortcut keeps 3.
  assert.deepEqual(fields, { stem: '3/1', b1: '9/2' });
});

test("torchvision's ResNet-18 and ResNet-50 stages", () => {
  const resnet18 = fieldsByName(readFileSync(join(repoRoot, 'examples/resnet18.resnet'), 'utf8'));
  assert.deepEqual([resnet18.conv1, resnet18.maxpool, resnet18.layer1, resnet18.layer2, resnet18.layer3, resnet18.layer4], ['7/2', '11/4', '43/4', '99/8', '211/16', '435/32']);
  const resnet50 = fieldsByName(readFileSync(join(repoRoot, 'examples/resnet50.resnet'), 'utf8'));
  assert.equal(resnet50.layer4, '427/32');
});

test('after an error the field is unknown, not guessed', () => {
  const fields = fieldsByName('network n {\n  input 3x8x8\n  a conv(8, kernel=3)\n  b conv(8, kernel=99)\n  c conv(8, kernel=1)\n}');
  assert.deepEqual(fields, { a: '3/1', b: 'undefined/undefined', c: 'undefined/undefined' });
});
