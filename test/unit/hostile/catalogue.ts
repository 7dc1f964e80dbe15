// The hostile-input catalogue (test/hostile/<area>/): one case a file, its expected message beside it
// as <case>.expected. Cases that would be huge or binary are generated at test time by the entries of
// test/hostile/<area>/generated.ts (a description and a function that makes the bytes); their
// expected messages are files beside that module all the same. `UPDATE_FIXTURES=1` rewrites the
// expected files; reviewing a behaviour change is reading their diff.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { updating } from '../fixtures';
import { repoRoot } from '../examples';

export interface Generator {
  /** What the generated case is, in one line (docs/hostile-input.md lists them). */
  description: string;
  /** The file's bytes (or text, written as UTF-8). */
  make(): Buffer | string | Promise<Buffer | string>;
  /** The file name extension the case is written with, e.g. '.png' (default: the area's). */
  ext?: string;
}

export interface HostileCase {
  name: string;
  /** The committed file, or undefined for a generated case. */
  file?: string;
  generator?: Generator;
  bytes(): Promise<Buffer>;
}

export const catalogueRoot = join(repoRoot, 'test/hostile');

/** Committed cases (every file but .expected and generated.ts) and generated ones of one area. */
export async function hostileCases(area: string): Promise<HostileCase[]> {
  const dir = join(catalogueRoot, area);
  const committed: HostileCase[] = readdirSync(dir)
    .filter((f) => !f.endsWith('.expected') && f !== 'generated.ts')
    .map((f) => ({ name: basename(f, extname(f)), file: join(dir, f), bytes: async () => readFileSync(join(dir, f)) }));
  const generatedModule = join(dir, 'generated.ts');
  const generated: HostileCase[] = [];
  if (existsSync(generatedModule)) {
    const { generated: entries } = (await import(generatedModule)) as { generated: Record<string, Generator> };
    for (const [name, generator] of Object.entries(entries)) {
      generated.push({ name, generator, bytes: async () => toBuffer(await generator.make()) });
    }
  }
  const cases = [...committed, ...generated].sort((a, b) => a.name.localeCompare(b.name));
  const names = cases.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, `${area}: case names are unique (${names.join(', ')})`);
  assertNoOrphans(area, names);
  return cases;
}

/** Every test/hostile/<area>/<name>.expected has its case among `names`. */
export function assertNoOrphans(area: string, names: string[]): void {
  const orphans = readdirSync(join(catalogueRoot, area))
    .filter((f) => f.endsWith('.expected'))
    .map((f) => basename(f, '.expected'))
    .filter((n) => !names.includes(n));
  assert.deepEqual(orphans, [], `${area}: every .expected file has its case`);
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Compares `actual` with test/hostile/<area>/<name>.expected, or writes it when updating. */
export function expectMessage(area: string, name: string, actual: string): void {
  const expectedPath = join(catalogueRoot, area, `${name}.expected`);
  const text = actual.endsWith('\n') ? actual : `${actual}\n`;
  if (updating || !existsSync(expectedPath)) {
    writeFileSync(expectedPath, text);
    if (!updating) assert.fail(`${area}/${name}.expected did not exist and was written: review and commit it`);
    return;
  }
  assert.equal(text, readFileSync(expectedPath, 'utf8'), `${area}/${name} differs from its .expected (UPDATE_FIXTURES=1 rewrites it)`);
}

/** A seeded generator (mulberry32): the same seed gives the same bytes on every machine. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
