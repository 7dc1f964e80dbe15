// Every example: clean under check, and its summary (shapes, params, MACs per layer) as a fixture.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { run as summary } from '../../../cli/commands/summary';
import { expectFixture } from '../fixtures';

import { exampleFiles, repoRoot as root } from '../examples';
import { TORCHVISION_NAMES } from '../onnx/example-networks';

for (const file of exampleFiles) {
  const name = file.split('/').pop()!.replace('.resnet', '');
  test(`example ${name} is clean and its summary is stable`, async () => {
    const analysis = analyze(readFileSync(file, 'utf8'));
    assert.deepEqual(analysis.diagnostics.map((d) => `${d.code} ${d.message}`), []);
    let out = '';
    const code = await summary([file], { stdout: (s) => (out += s), stderr: (s) => (out += s) });
    assert.equal(code, 0);
    expectFixture(join(root, 'test/fixtures/summary', `${name}.resnet`), out);
  });
}

test('the ten torchvision models and five variants are all there', () => {
  const names = exampleFiles.map((f) => f.split('/').pop());
  for (const n of [...TORCHVISION_NAMES, 'cifar_resnet20', 'se_resnet50', 'preact_resnet18', 'darknet53', 'inverted_residual']) {
    assert.ok(names.includes(`${n}.resnet`), n);
  }
});
