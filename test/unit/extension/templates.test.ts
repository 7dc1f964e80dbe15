// The templates of "New File from Template": each file there, clean, in the formatter's layout (two
// spaces), with the totals the picker shows; and the commands all in one category, titles not repeating it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { formatText } from '../../../language/core/formatter';
import { templateSummary } from '../../../extension/template-summary';
import { repoRoot } from '../examples';

// The list as templates.ts declares it (that file needs VS Code): read from its source.
const source = readFileSync(join(repoRoot, 'extension/templates.ts'), 'utf8');
const paths = [...source.matchAll(/path: '([^']+)'/g)].map((m) => m[1]).concat([...source.matchAll(/torchvision\('([^']+)'/g)].map((m) => `${m[1]}.resnet`));

test('every template exists, analyses cleanly and is in the formatter’s layout', () => {
  assert.ok(paths.includes('templates/blank.resnet') && paths.includes('templates/custom_block.resnet'), paths.join(', '));
  assert.equal(paths.length, 12);
  for (const path of paths) {
    const text = readFileSync(join(repoRoot, 'examples', path), 'utf8');
    assert.deepEqual(analyze(text).diagnostics.map((d) => d.message), [], path);
    assert.equal(formatText(text), text, `${path} is canonical`);
  }
});

test('the picker shows each template’s params and MACs', () => {
  const text = (path: string) => readFileSync(join(repoRoot, 'examples', path), 'utf8');
  assert.equal(templateSummary(text('resnet18.resnet')), '11,689,512 params · 1.81 GMACs');
  assert.match(templateSummary(text('templates/custom_block.resnet')), /^[\d,]+ params · [\d.]+ [KMG]?MACs$/);
  assert.equal(templateSummary('# nothing yet\n'), '');
});

test('a new .resnet file indents as the formatter does: two spaces', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const defaults = pkg.contributes.configurationDefaults['[resnet]'];
  assert.equal(defaults['editor.tabSize'], 2);
  assert.equal(defaults['editor.insertSpaces'], true);
  assert.equal(formatText('network n {\ninput 3x8x8\n}\n'), 'network n {\n  input 3x8x8\n}\n');
});

test('every command is in the category ResNet Studio, and no title repeats it', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  for (const c of pkg.contributes.commands as { command: string; title: string; category: string }[]) {
    assert.equal(c.category, 'ResNet Studio', c.command);
    assert.doesNotMatch(c.title, /ResNet/, `${c.command}: '${c.category}: ${c.title}'`);
  }
});
