// The layering of the source folders, checked on the import statements themselves: the language core
// is pure (no I/O, no editor or LSP types), the engine and the CLI never reach into the editor, and no
// module imports itself through a cycle.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '../../..');
const folders = ['language', 'engine', 'cli', 'contracts', 'extension', 'webview'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return entry.endsWith('.ts') ? [path] : [];
  });
}

const files = folders.flatMap((f) => sources(join(root, f)));
const specifier = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Each file's imports: repo-relative paths for relative specifiers, the bare name otherwise. */
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const found = [...text.matchAll(specifier)].map((m) => m[1] ?? m[2]);
    const resolved = found.map((s) => {
      if (!s.startsWith('.')) return s;
      const target = join(dirname(file), s);
      const withExt = [target + '.ts', join(target, 'index.ts'), target].find((p) => files.includes(p) || p.endsWith('.json'));
      return relative(root, withExt ?? target);
    });
    return [relative(root, file), resolved];
  }),
);

const under = (path: string, folder: string) => path === folder || path.startsWith(folder + '/');

test('the language core imports only itself: no node modules, no vscode, no LSP', () => {
  for (const [file, deps] of imports) {
    if (!under(file, 'language/core')) continue;
    for (const dep of deps) assert.ok(under(dep, 'language/core'), `${file} imports ${dep}`);
  }
});

test('the engine, the CLI and the contracts never import the editor, the server or the webviews', () => {
  for (const [file, deps] of imports) {
    if (!['engine', 'cli', 'contracts'].some((f) => under(file, f))) continue;
    for (const dep of deps) {
      assert.ok(!['extension', 'webview', 'language/server', 'vscode'].some((f) => under(dep, f)), `${file} imports ${dep}`);
    }
  }
});

test('webviews import no node modules and no host code', () => {
  for (const [file, deps] of imports) {
    if (!under(file, 'webview')) continue;
    for (const dep of deps) {
      assert.ok(!dep.startsWith('node:') && !['extension', 'engine', 'cli', 'language/server', 'vscode'].some((f) => under(dep, f)), `${file} imports ${dep}`);
    }
  }
});

test('no import cycles', () => {
  assert.ok([...imports.values()].flat().length > 300, 'the import graph was read');
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of imports.get(file) ?? []) {
      if (!imports.has(dep)) continue;
      if (state.get(dep) === 'open') assert.fail(`import cycle: ${[...stack.slice(stack.indexOf(dep)), dep].join(' → ')}`);
      if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of imports.keys()) if (!state.has(file)) visit(file);
});
