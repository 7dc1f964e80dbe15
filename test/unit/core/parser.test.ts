import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from '../../../language/core/parser';
import { printTree } from '../../../language/core/syntax';
import { expectFixture, fixtureCases } from '../fixtures';

for (const file of fixtureCases(join(__dirname, '../../fixtures/parser'))) {
  test(`parser: ${file.split('/').pop()}`, () => {
    const { file: tree, problems } = parse(readFileSync(file, 'utf8'));
    const report = problems.map((p) => `@${p.span.start}..${p.span.end} ${p.code} ${p.message}`).join('\n');
    expectFixture(file, printTree(tree) + '--- problems\n' + report + '\n');
  });
}
