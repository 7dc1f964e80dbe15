// The diagnostic catalogue: one file per diagnostic, its expected report beside it, including each
// quick fix and what is left after applying it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, prelude, type Analysis } from '../../../language/core/analysis';
import { applyEdits, verifiedFixes, verifyFix } from '../../../language/core/fix-verification';
import { formatCount } from '../../../language/core/format';
import { diagnosticCodes } from '../../../language/core/diagnostics';
import type { SourceId } from '../../../language/core/model';
import { LineMap } from '../../../language/core/positions';
import type { Span } from '../../../language/core/syntax';
import { expectFixture, fixtureCases } from '../fixtures';

const dir = join(__dirname, '../../fixtures/diagnostics');
function report(analysis: Analysis): string {
  const { text, diagnostics } = analysis;
  const lines: Record<SourceId, LineMap> = { file: new LineMap(text), prelude: prelude().lines };
  const at = (span: Span, source: SourceId = 'file') => {
    const { start, end } = lines[source].range(span);
    return `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}`;
  };
  const out: string[] = [];
  for (const d of diagnostics) {
    out.push(`${at(d.span)} ${d.severity} ${d.code} ${d.message}`);
    for (const r of d.related) out.push(`    related ${r.source}:${at(r.span, r.source)} ${r.message}`);
    const offered = verifiedFixes(analysis, d);
    for (const f of d.fixes) {
      const edits = f.edits.map((e) => `${at(e.span)} → ${JSON.stringify(e.newText)}`).join(', ');
      const verdict = verifyFix(analysis, d, f);
      if (!offered.includes(f)) {
        out.push(`    not offered "${f.title}": ${edits}; ${verdict.ok ? 'a fix at the cause works' : verdict.reason}`);
        continue;
      }
      const fixed = analyze(applyEdits(text, f.edits));
      const left = fixed.diagnostics.filter((x) => x.code === d.code).length;
      const params = (a: Analysis) => a.networks.map((n) => formatCount(n.params)).join(', ');
      out.push(`    fix "${f.title}": ${edits}; after it ${left} ${d.code} left, ${fixed.diagnostics.length} diagnostics in all; params ${params(analysis)} → ${params(fixed)}`);
    }
  }
  return out.join('\n') + '\n';
}

const cases = fixtureCases(dir);
for (const file of cases) {
  test(`diagnostics: ${file.split('/').pop()}`, () => {
    const text = readFileSync(file, 'utf8');
    expectFixture(file, report(analyze(text)));
  });
}

test('every diagnostic code has a case in the catalogue', () => {
  const expected = cases.map((f) => readFileSync(f.replace(/\.resnet$/, '.expected'), 'utf8')).join('\n');
  const missing = diagnosticCodes.filter((c) => !expected.includes(` ${c.code} `)).map((c) => `${c.code} (${c.kind})`);
  assert.deepEqual(missing, []);
});
