// Fixture files: an input beside its expected output. `UPDATE_FIXTURES=1 npm test` rewrites the
// expected files; reviewing a behaviour change is reading their diff.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const updating = process.env.UPDATE_FIXTURES === '1';

export function fixtureCases(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.resnet'))
    .sort()
    .map((f) => join(dir, f));
}

/** Compares `actual` with `<input>.expected` (without the .resnet), or writes it when updating. */
export function expectFixture(input: string, actual: string): void {
  const expectedPath = input.replace(/\.resnet$/, '.expected');
  if (updating || !existsSync(expectedPath)) {
    writeFileSync(expectedPath, actual);
    if (!updating) assert.fail(`${basename(expectedPath)} did not exist and was written: review and commit it`);
    return;
  }
  assert.equal(actual, readFileSync(expectedPath, 'utf8'), `${basename(input)} differs from its .expected (UPDATE_FIXTURES=1 rewrites it)`);
}
