import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnosticCodes } from '../../../language/core/diagnostics';
import { layerOps, ops } from '../../../language/core/ops';
import { repoRoot } from '../examples';

test('docs/language.md lists every diagnostic code with its severity', () => {
  const doc = readFileSync(join(repoRoot, 'docs/language.md'), 'utf8');
  for (const { code, severity } of diagnosticCodes) assert.match(doc, new RegExp(`\\| ${code} \\| ${severity} \\|`), code);
});

test('docs/language.md has a row for every op of the op table, naming each of its arguments', () => {
  const rows = readFileSync(join(repoRoot, 'docs/language.md'), 'utf8').split('\n').filter((line) => line.startsWith('| `'));
  for (const op of layerOps) {
    const row = rows.find((r) => r.split('|')[1].includes(`\`${op}\``));
    assert.ok(row, `no row for ${op}`);
    for (const p of ops[op].params) assert.ok(row.includes(`\`${p.name}`), `${op}: argument ${p.name} is not in its row`);
  }
});
