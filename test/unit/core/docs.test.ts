import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnosticCodes } from '../../../language/core/diagnostics';
import { repoRoot } from '../examples';

test('docs/language.md lists every diagnostic code with its severity', () => {
  const doc = readFileSync(join(repoRoot, 'docs/language.md'), 'utf8');
  for (const { code, severity } of diagnosticCodes) assert.match(doc, new RegExp(`\\| ${code} \\| ${severity} \\|`), code);
});
