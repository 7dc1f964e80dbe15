// The TextMate grammar as VS Code runs it (vscode-textmate on Oniguruma): each fixture under
// test/fixtures/grammar/ tokenized line by line, every token with the scopes it gets. Reviewing a
// grammar change is reading the diff of the .expected files; the keyword list check is grammar.test.ts.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import * as keywords from '../../../language/core/keywords';
import { layerOps } from '../../../language/core/ops';
import { repoRoot } from '../examples';
import { expectFixture, fixtureCases } from '../fixtures';

const fixtures = join(repoRoot, 'test/fixtures/grammar');

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(join(repoRoot, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) =>
      scope === 'source.resnet' ? textmate.parseRawGrammar(readFileSync(join(repoRoot, 'media/resnet.tmLanguage.json'), 'utf8'), 'resnet.tmLanguage.json') : null,
  });
  const grammar = await registry.loadGrammar('source.resnet');
  assert.ok(grammar);
  return grammar;
}

const grammar = loadGrammar();

/** Each line, then each non-blank token with its scopes (source.resnet and the '.resnet' suffixes left out). */
async function tokenized(text: string): Promise<{ text: string; scopes: string }[][]> {
  const g = await grammar;
  let stack = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = g.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens
      .map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.slice(1).map((s) => s.replace(/\.resnet$/, '')).join(' ') }))
      .filter((t) => t.text.trim() !== '');
  });
}

for (const file of fixtureCases(fixtures)) {
  test(`grammar: ${file.split('/').pop()}`, async () => {
    const text = readFileSync(file, 'utf8');
    const lines = await tokenized(text);
    const out = text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [line, ...lines[i].map((t) => `  ${JSON.stringify(t.text)} ${t.scopes || '-'}`)]));
    expectFixture(file, out.join('\n') + '\n');
  });
}

test('each word of the keyword list and the op table gets its scope in context', async () => {
  const scopeOf = async (line: string, word: string) => (await tokenized(line))[0].find((t) => t.text.trim() === word)?.scopes;
  for (const word of keywords.declarationKeywords) assert.equal(await scopeOf(`${word} name {`, word), `storage.type.${word}`);
  for (const word of keywords.statementKeywords) assert.equal(await scopeOf(`  ${word} 3`, word), `keyword.other.${word}`);
  for (const word of keywords.shortcutKinds) assert.equal(await scopeOf(`  + ${word}`, word), 'support.constant.shortcut');
  for (const word of keywords.booleans) assert.equal(await scopeOf(`  c conv(4, bias=${word})`, word), 'constant.language.boolean');
  for (const word of keywords.wordOperators) assert.equal(await scopeOf(`  require a ${word} b`, word), 'keyword.operator.logical');
  for (const word of [...keywords.builtinNames, ...keywords.preprocessPresets]) assert.equal(await scopeOf(`  w = ${word}`, word), 'variable.language');
  for (const word of [...layerOps, ...keywords.preprocessSteps]) assert.equal(await scopeOf(`  name ${word}(1)`, word), 'support.function.layer');
});
