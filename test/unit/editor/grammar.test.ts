// The TextMate grammar (media/resnet.tmLanguage.json) against the one keyword list and the op table:
// every word the language reserves is coloured, and the grammar colours no word the language lacks.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as keywords from '../../../language/core/keywords';
import { layerOps } from '../../../language/core/ops';
import { repoRoot } from '../examples';

interface Rule {
  match?: string;
  patterns?: Rule[];
  name?: string;
  captures?: Record<string, { name?: string }>;
}
const grammar = JSON.parse(readFileSync(join(repoRoot, 'media/resnet.tmLanguage.json'), 'utf8')) as { patterns: Rule[]; repository: Record<string, Rule> };
const rules: Rule[] = [];
const collect = (r: Rule) => {
  rules.push(r);
  r.patterns?.forEach(collect);
};
grammar.patterns.forEach(collect);
Object.values(grammar.repository ?? {}).forEach(collect);

/** The words of the first `(a|b|c)` group of the rule whose scope names contain `scope`. */
function wordsScopedAs(scope: string): string[] {
  const rule = rules.find((r) => r.match && (r.name?.includes(scope) || Object.values(r.captures ?? {}).some((c) => c.name?.includes(scope))));
  assert.ok(rule?.match, `no rule scoped ${scope}`);
  const group = /\(((?:[a-z_0-9]+\|)+[a-z_0-9]+)\)/.exec(rule.match);
  assert.ok(group, `no word list in ${rule.match}`);
  return group[1].split('|').sort();
}

const sorted = (words: Iterable<string>) => [...words].sort();

test('the grammar colours exactly the language keywords', () => {
  assert.deepEqual(wordsScopedAs('storage.type'), sorted(keywords.declarationKeywords));
  assert.deepEqual(wordsScopedAs('keyword.other'), sorted(keywords.statementKeywords));
  assert.deepEqual(wordsScopedAs('support.constant.shortcut'), sorted(keywords.shortcutKinds));
  assert.deepEqual(wordsScopedAs('constant.language.boolean'), sorted(keywords.booleans));
  assert.deepEqual(wordsScopedAs('keyword.operator.logical'), sorted(keywords.wordOperators));
  assert.deepEqual(wordsScopedAs('variable.language'), sorted([...keywords.builtinNames, ...keywords.preprocessPresets]));
});

test('the grammar colours exactly the layer ops, the functions of named values and preprocess steps', () => {
  assert.deepEqual(wordsScopedAs('support.function.layer'), sorted([...layerOps, ...keywords.tensorFunctions, ...keywords.preprocessSteps]));
});
