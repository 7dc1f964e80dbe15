#!/usr/bin/env node
// Builds one VSIX per platform with `vsce package --target`, each carrying only its platform's native
// code (onnxruntime-node's bin folder of that platform, sharp's @img packages of that platform).
//
//   node tools/package.mjs                      every target in tools/package/targets.mjs
//   node tools/package.mjs --target linux-x64   one (repeatable)
//   node tools/package.mjs --out DIR            VSIX files there (default out/vsix/)
//
// Steps per run: `node tools/build.mjs --production` into out/package/build/dist (not the working
// tree's dist/, which a concurrent test run may be using), then per target a clean folder
// out/package/<target>/ (tools/package/stage.mjs), vsce on it, and the checks of
// tools/package/inspect.mjs on the result. Another platform's sharp binaries come from the npm
// registry (npm pack, checked against package-lock.json's integrity) and are cached in .cache/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkBundleRequires, checkVsix, listVsix } from './package/inspect.mjs';
import { stageExtension } from './package/stage.mjs';
import { TARGETS } from './package/targets.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    target: { type: 'string', multiple: true },
    out: { type: 'string', default: join(repoRoot, 'out', 'vsix') },
  },
});
const targetNames = options.target ?? Object.keys(TARGETS);
for (const name of targetNames) if (!TARGETS[name]) throw new Error(`unknown target ${name}; known: ${Object.keys(TARGETS).join(', ')}`);

const started = Date.now();
const log = (line) => console.log(`[package ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
const workDir = join(repoRoot, 'out', 'package');
const outDir = resolve(options.out);

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${relative(repoRoot, cwd) || '.'} (${result.signal ?? result.status})`);
}

/** tools/build.mjs writes to ./dist of its working directory; it runs in a folder that links to the sources. */
function buildProduction() {
  const buildDir = join(workDir, 'build');
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  for (const source of ['language', 'engine', 'cli', 'contracts', 'extension', 'webview', 'node_modules', 'package.json', 'tsconfig.json']) {
    symlinkSync(join(repoRoot, source), join(buildDir, source));
  }
  log('node tools/build.mjs --production');
  run(process.execPath, [join(repoRoot, 'tools', 'build.mjs'), '--production'], buildDir);
  const distDir = join(buildDir, 'dist');
  const problems = checkBundleRequires(distDir);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return distDir;
}

function vsce(stageDir, targetName, vsixFile) {
  // README links to docs/ relative to the repository, and the manifest names no repository to rewrite
  // them against: the links stay as written. Dependencies: vsce lists them with `npm list --production`.
  const args = ['package', '--target', targetName, '--out', vsixFile, '--no-rewrite-relative-links', '--allow-missing-repository'];
  if (!existsSync(join(stageDir, 'LICENSE'))) args.push('--skip-license');
  run(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), ...args], stageDir);
}

function report(vsixFile, entries) {
  const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const unpacked = entries.reduce((sum, e) => sum + e.size, 0);
  log(`${relative(repoRoot, vsixFile)}: ${mib(statSync(vsixFile).size)} (${mib(unpacked)} unpacked), ${entries.length} files; largest:`);
  for (const { path, size } of [...entries].sort((a, b) => b.size - a.size).slice(0, 6)) console.log(`    ${mib(size).padStart(9)}  ${path}`);
}

const distDir = buildProduction();
mkdirSync(outDir, { recursive: true });
const { version, name } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
for (const targetName of targetNames) {
  const target = TARGETS[targetName];
  const stageDir = join(workDir, targetName);
  log(`staging ${targetName} in ${relative(repoRoot, stageDir)}`);
  const modules = stageExtension({ repoRoot, distDir, stageDir, targetName, target, tarballCache: join(repoRoot, '.cache', 'vsix-packages'), log });
  log(`runtime modules: ${modules.map((m) => `${m.key.replace(/^node_modules\//, '')}${m.from === 'registry' ? ' (registry)' : ''}`).join(', ')}`);
  const vsixFile = join(outDir, `${name}-${targetName}-${version}.vsix`);
  rmSync(vsixFile, { force: true });
  vsce(stageDir, targetName, vsixFile);
  const entries = listVsix(vsixFile);
  const problems = checkVsix(entries, target);
  if (problems.length > 0) {
    rmSync(vsixFile, { force: true });
    throw new Error(`${targetName}: the VSIX is wrong, deleted it:\n  ${problems.join('\n  ')}`);
  }
  report(vsixFile, entries);
}
log('done');
