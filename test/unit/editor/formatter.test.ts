// The canonical layout: idempotent, whitespace-only, and the shipped files already follow it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatText } from '../../../language/core/formatter';
import { tokenize } from '../../../language/core/lexer';
import { preludeText } from '../../../language/core/prelude';
import { exampleFiles } from '../examples';

const significant = (text: string) => tokenize(text).filter((t) => t.kind !== 'newline').map((t) => t.text.trimEnd());

test('formatting every example is idempotent and changes only whitespace', () => {
  for (const file of exampleFiles) {
    const text = readFileSync(file, 'utf8');
    const once = formatText(text);
    assert.equal(formatText(once), once, file);
    assert.deepEqual(significant(once), significant(text), file);
  }
});

test('the prelude and the torchvision examples are already canonical', () => {
  assert.equal(formatText(preludeText), preludeText);
  for (const file of exampleFiles.filter((f) => /\/(resnet|resnext|wide_resnet)\d/.test(f))) {
    const text = readFileSync(file, 'utf8');
    assert.equal(formatText(text), text, file);
  }
});

test('a messy block gets one layout, comments kept', () => {
  const messy = 'block  b(planes,stride = 1){   # a block\n\n\n   w=planes*2//2\n  require w>=-1 and not(w==3),"msg"\n c conv(w ,stride=stride) # conv\n  long_name batchnorm # bn\n      +   shortcut\n}\n\n\n';
  assert.equal(
    formatText(messy),
    'block b(planes, stride=1) {  # a block\n\n  w = planes * 2 // 2\n  require w >= -1 and not (w == 3), "msg"\n  c         conv(w, stride=stride)  # conv\n  long_name batchnorm               # bn\n  + shortcut\n}\n',
  );
});

test('continuation lines inside brackets are indented, CRLF line ends are kept', () => {
  const text = 'network n {\r\n  input 1x28x28\r\n  preprocess {\r\n    normalize(\r\n  mean=[0.5],\r\n  std=[0.5])\r\n  }\r\n}\r\n';
  assert.equal(formatText(text), 'network n {\r\n  input 1x28x28\r\n  preprocess {\r\n    normalize(\r\n      mean=[0.5],\r\n      std=[0.5])\r\n  }\r\n}\r\n');
});

test('broken input is formatted without losing a token', () => {
  for (const text of ['network {{ conv( ,, ) x', 'block b( { + }\n"unterminated\n  ) ] ) #', '\u00a7 conv(1 2 3)']) {
    const formatted = formatText(text);
    assert.deepEqual(significant(formatted), significant(text), JSON.stringify(text));
    assert.equal(formatText(formatted), formatted, JSON.stringify(text));
  }
});
