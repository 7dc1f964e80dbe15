#!/usr/bin/env node
// Copies the README's screenshots from the smoke run of the packaged extension into docs/images/.
//
//   node tools/screenshots.mjs             copy from test-results/e2e-vsix/ (left by `node tools/test.mjs vsix`)
//   node tools/screenshots.mjs --refresh   run `node tools/test.mjs vsix` first
//
// The suite test/e2e/suite/smoke-vsix.test.ts takes them (1440×900, the whole VS Code window). A file
// over MAX_BYTES is re-encoded as a palette PNG with sharp; one still over it is an error.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(repoRoot, 'test-results', 'e2e-vsix');
const target = join(repoRoot, 'docs', 'images');
const MAX_BYTES = 300 * 1024;
/** Screenshot taken by the smoke suite → the name README.md uses. */
const SHOTS = {
  'vsix-diagnostics.png': 'diagnostics.png',
  'vsix-hover.png': 'hover.png',
  'vsix-preview.png': 'preview.png',
  'vsix-inference.png': 'inference.png',
};

if (process.argv.includes('--refresh')) {
  const run = spawnSync(process.execPath, [join(repoRoot, 'tools', 'test.mjs'), 'vsix'], { cwd: repoRoot, stdio: 'inherit' });
  if (run.status !== 0) throw new Error('node tools/test.mjs vsix failed; the screenshots were not refreshed');
}
const missing = Object.keys(SHOTS).filter((file) => !existsSync(join(source, file)));
if (missing.length > 0) throw new Error(`${relative(repoRoot, source)}/ lacks ${missing.join(', ')}: run node tools/test.mjs vsix (or pass --refresh)`);

mkdirSync(target, { recursive: true });
for (const [from, to] of Object.entries(SHOTS)) {
  const input = join(source, from);
  const output = join(target, to);
  const { format, width, height } = await sharp(input).metadata();
  if (format !== 'png') throw new Error(`${input} is ${format}, not a PNG`);
  if (statSync(input).size <= MAX_BYTES) copyFileSync(input, output);
  else writeFileSync(output, await sharp(input).png({ palette: true, compressionLevel: 9 }).toBuffer());
  const size = statSync(output).size;
  if (size > MAX_BYTES) throw new Error(`${relative(repoRoot, output)} is ${size} bytes, over ${MAX_BYTES}`);
  console.log(`${relative(repoRoot, output)}  ${width}×${height}  ${(size / 1024).toFixed(0)} KiB`);
}
