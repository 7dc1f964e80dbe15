// Every editor feature on mutated examples, at every kind of cursor position: none may throw, and the
// formatter keeps every token. Deterministic (a seeded generator), so a failure names its case.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { formatText } from '../../../language/core/formatter';
import { tokenize } from '../../../language/core/lexer';
import { nameSymbols, symbolAt } from '../../../language/core/symbols';
import { completionsAt } from '../../../language/server/completion';
import { foldingRanges } from '../../../language/server/folding';
import { hoverAt } from '../../../language/server/hover';
import { shapeHints } from '../../../language/server/inlay-hints';
import { outline } from '../../../language/server/outline';
import { selectionSpans } from '../../../language/server/selection-ranges';
import { signatureAt } from '../../../language/server/signature-help';
import { exampleFiles } from '../examples';

function generator(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const fragments = ['(', ')', '{', '}', '[', ']', ',', '=', '+ ', 'x3', ' x', '"', '#', '\n', 'conv(', 'basic(', 'stride=', '//', '-', ' ', 'in_channels', 'block b(p) {', 'network n {', '\r\n', '\u00e9', '0', '1e400'];

function mutate(text: string, random: () => number): string {
  for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
    const at = Math.floor(random() * (text.length + 1));
    const cut = random() < 0.5 ? Math.floor(random() * 12) : 0;
    text = text.slice(0, at) + fragments[Math.floor(random() * fragments.length)] + text.slice(at + cut);
  }
  return text;
}

const significant = (text: string) => tokenize(text).filter((t) => t.kind !== 'newline').map((t) => t.text.trimEnd());

test('editor features survive 1000 mutated examples at 20 cursor positions each', () => {
  const sources = exampleFiles.map((f) => readFileSync(f, 'utf8'));
  const random = generator(20261127);
  for (let round = 0; round < 1000; round++) {
    const text = mutate(sources[round % sources.length], random);
    const where = `round ${round}: ${JSON.stringify(text.slice(0, 60))}…`;
    const analysis = analyze(text);
    const symbols = nameSymbols(analysis);
    shapeHints(analysis);
    outline(analysis);
    foldingRanges(analysis);
    for (let k = 0; k < 20; k++) {
      const offset = Math.floor(random() * (text.length + 1));
      try {
        hoverAt(analysis, offset);
        completionsAt(analysis, offset);
        signatureAt(analysis, offset);
        selectionSpans(analysis, offset);
        symbolAt(symbols, offset);
      } catch (error) {
        assert.fail(`${where} at offset ${offset}: ${(error as Error).stack}`);
      }
    }
    const formatted = formatText(text);
    assert.deepEqual(significant(formatted), significant(text), where);
    assert.equal(formatText(formatted), formatted, `${where}: formatting is idempotent`);
  }
});
