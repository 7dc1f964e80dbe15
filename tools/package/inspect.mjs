// Checks on a staged folder and on a finished VSIX: the bundles need no module the VSIX lacks, and the
// VSIX holds what the extension reads, nothing of the sources, tests or maps, and only its target's
// native code.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { RUNTIME_DEPENDENCIES } from './targets.mjs';

/** Every bare `require("x")` in the Node bundles must be a builtin, vscode, or a runtime dependency. */
export function checkBundleRequires(distDir) {
  const allowed = new Set([...builtinModules, 'vscode', ...RUNTIME_DEPENDENCIES]);
  const problems = [];
  for (const file of readdirSync(distDir).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(distDir, file), 'utf8');
    for (const [, spec] of text.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
      const name = spec.startsWith('node:') ? spec.slice(5) : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
      if (!allowed.has(name)) problems.push(`dist/${file} requires '${spec}', which is not bundled and not shipped`);
    }
  }
  return problems;
}

/**
 * The VSIX's files with their uncompressed sizes, read from the zip's central directory (a VSIX is a
 * zip well under the ZIP64 limits; no unzip needed).
 */
export function listVsix(file) {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const path = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (!path.endsWith('/')) entries.push({ path, size });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

const REQUIRED = [
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/dist/extension.js',
  'extension/dist/server.js',
  'extension/dist/worker.js',
  'extension/dist/webview.js',
  'extension/dist/results.js',
  'extension/media/resnet.tmLanguage.json',
  'extension/media/language-configuration.json',
  'extension/examples/resnet50.resnet',
  'extension/examples/templates/blank.resnet',
  'extension/examples/templates/custom_block.resnet',
  'extension/examples/fashion-mnist/resnet20.resnet',
  'extension/examples/fashion-mnist/resnet20.safetensors',
  'extension/examples/fashion-mnist/labels.txt',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/sharp/dist/index.cjs',
];
const FORBIDDEN = [
  [/\.map$/, 'a source map'],
  [/(?<!\.d)\.ts$/, 'a TypeScript source'],
  [/^extension\/(language|engine|cli|contracts|extension|webview|test|tools|test-results|out|\.ci|bin)\//, 'sources, tests or tools'],
  [/^extension\/tsconfig\.json$/, 'the TypeScript config'],
  [/\.vsix$/, 'another VSIX'],
];

/** Problems with a VSIX built for `target` ({ os, cpu }); empty when it is right. */
export function checkVsix(entries, target) {
  const paths = new Set(entries.map((e) => e.path));
  const problems = REQUIRED.filter((path) => !paths.has(path)).map((path) => `missing ${path}`);
  for (const { path } of entries) {
    for (const [pattern, what] of FORBIDDEN) if (pattern.test(path)) problems.push(`${path} is ${what}`);
    const ort = /^extension\/node_modules\/onnxruntime-node\/bin\/napi-v\d+\/([^/]+)\/([^/]+)\//.exec(path);
    if (ort && (ort[1] !== target.os || ort[2] !== target.cpu)) problems.push(`${path} is onnxruntime-node for ${ort[1]}-${ort[2]}`);
    const img = /^extension\/node_modules\/@img\/sharp-(?:libvips-)?([a-z0-9]+)-([a-z0-9]+)\//.exec(path);
    if (img && (img[1] !== target.os || img[2] !== target.cpu)) problems.push(`${path} is sharp for ${img[1]}-${img[2]}`);
  }
  const ortBinding = `onnxruntime-node/bin/napi-v6/${target.os}/${target.cpu}/onnxruntime_binding.node`;
  if (!paths.has(`extension/node_modules/${ortBinding}`)) problems.push(`missing ${ortBinding}`);
  const sharpBinding = `extension/node_modules/@img/sharp-${target.os}-${target.cpu}/lib/sharp-${target.os}-${target.cpu}-`;
  if (![...paths].some((path) => path.startsWith(sharpBinding) && path.endsWith('.node'))) problems.push(`missing ${sharpBinding}*.node`);
  return [...new Set(problems)];
}
