// The diagnostic catalogue: one file per diagnostic, its expected report beside it, including each
// quick fix and what is left after applying it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, prelude } from '../../../language/core/analysis';
import { diagnosticCodes } from '../../../language/core/diagnostics';
import type { Diagnostic, SourceId, TextEdit } from '../../../language/core/model';
import { LineMap } from '../../../language/core/positions';
import type { Span } from '../../../language/core/syntax';
import { expectFixture, fixtureCases } from '../fixtures';

const dir = join(__dirname, '../../fixtures/diagnostics');
export function applyEdits(text: string, edits: TextEdit[]): string {
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
  return text;
}

function report(text: string, diagnostics: Diagnostic[]): string {
  const lines: Record<SourceId, LineMap> = { file: new LineMap(text), prelude: prelude().lines };
  const at = (span: Span, source: SourceId = 'file') => {
    const { start, end } = lines[source].range(span);
    return `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}`;
  };
  const out: string[] = [];
  for (const d of diagnostics) {
    out.push(`${at(d.span)} ${d.severity} ${d.code} ${d.message}`);
    for (const r of d.related) out.push(`    related ${r.source}:${at(r.span, r.source)} ${r.message}`);
    for (const f of d.fixes) {
      const fixed = analyze(applyEdits(text, f.edits));
      const left = fixed.diagnostics.filter((x) => x.code === d.code).length;
      out.push(`    fix "${f.title}": ${f.edits.map((e) => `${at(e.span)} → ${JSON.stringify(e.newText)}`).join(', ')}; after it ${left} ${d.code} left, ${fixed.diagnostics.length} diagnostics in all`);
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
