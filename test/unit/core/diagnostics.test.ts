// The diagnostic catalogue: one file per diagnostic, its expected report beside it, including each
// quick fix and what is left after applying it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../language/core/analysis';
import { diagnosticCodes } from '../../../language/core/diagnostics';
import type { Diagnostic, Range, TextEdit } from '../../../language/core/model';
import { LineMap } from '../../../language/core/positions';
import { expectFixture, fixtureCases } from '../fixtures';

const dir = join(__dirname, '../../fixtures/diagnostics');
const at = (r: Range) => `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;

export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineMap(text);
  const sorted = [...edits].sort((a, b) => lines.offset(b.range.start) - lines.offset(a.range.start));
  for (const e of sorted) text = text.slice(0, lines.offset(e.range.start)) + e.newText + text.slice(lines.offset(e.range.end));
  return text;
}

function report(text: string, diagnostics: Diagnostic[]): string {
  const out: string[] = [];
  for (const d of diagnostics) {
    out.push(`${at(d.range)} ${d.severity} ${d.code} ${d.message}`);
    for (const r of d.related) out.push(`    related ${r.location.source}:${at(r.location.range)} ${r.message}`);
    for (const f of d.fixes) {
      const fixed = analyze(applyEdits(text, f.edits));
      const left = fixed.diagnostics.filter((x) => x.code === d.code).length;
      out.push(`    fix "${f.title}": ${f.edits.map((e) => `${at(e.range)} → ${JSON.stringify(e.newText)}`).join(', ')}; after it ${left} ${d.code} left, ${fixed.diagnostics.length} diagnostics in all`);
    }
  }
  return out.join('\n') + '\n';
}

const cases = fixtureCases(dir);
for (const file of cases) {
  test(`diagnostics: ${file.split('/').pop()}`, () => {
    const text = readFileSync(file, 'utf8');
    expectFixture(file, report(text, analyze(text).diagnostics));
  });
}

test('every diagnostic code has a case in the catalogue', () => {
  const expected = cases.map((f) => readFileSync(f.replace(/\.resnet$/, '.expected'), 'utf8')).join('\n');
  const missing = diagnosticCodes.filter((c) => !expected.includes(` ${c.code} `)).map((c) => `${c.code} (${c.kind})`);
  assert.deepEqual(missing, []);
});
