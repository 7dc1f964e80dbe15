// Stages one target's extension folder for vsce: the production bundles, media, examples, the docs
// vsce reads, a manifest whose dependencies are only the runtime modules, and those modules' node_modules
// closure pruned to the target's native code (package-lock.json says what is installed where).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RUNTIME_DEPENDENCIES, admits, isPlatformSpecific } from './targets.mjs';

/** What the extension reads at run time besides dist/ and node_modules/ (README.md: vsce and the details page). */
const SHIPPED = ['media', 'examples', 'README.md', 'CHANGELOG.md', 'LICENSE', 'docs/images', '.vscodeignore'];

export function stageExtension({ repoRoot, distDir, stageDir, targetName, target, tarballCache, log }) {
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  cpSync(distDir, join(stageDir, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  for (const item of SHIPPED) {
    if (existsSync(join(repoRoot, item))) cpSync(join(repoRoot, item), join(stageDir, item), { recursive: true });
  }
  writeFileSync(join(stageDir, 'package.json'), `${JSON.stringify(stagedManifest(repoRoot), null, 2)}\n`);
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
  const copied = copyRuntimeModules({ repoRoot, stageDir, target, lock, tarballCache, log });
  pruneOnnxruntimeBinaries(join(stageDir, 'node_modules', 'onnxruntime-node'), targetName, target);
  return copied;
}

/** The repo's manifest without what only development needs; dependencies are the unbundled modules. */
function stagedManifest(repoRoot) {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const dependencies = Object.fromEntries(RUNTIME_DEPENDENCIES.map((name) => [name, manifest.dependencies[name]]));
  const { devDependencies, scripts, bin, ...rest } = manifest;
  return { ...rest, dependencies };
}

/** The lockfile path a package at `from` gets for `name` by node's lookup (nearest node_modules upward). */
function resolveInLock(lock, from, name) {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at < 0 ? '' : base.slice(0, at);
  }
}

function copyRuntimeModules({ repoRoot, stageDir, target, lock, tarballCache, log }) {
  const queue = RUNTIME_DEPENDENCIES.map((name) => ({ from: '', name, optional: false }));
  const done = new Set();
  const copied = [];
  while (queue.length > 0) {
    const { from, name, optional } = queue.shift();
    const key = resolveInLock(lock, from, name);
    if (!key) {
      if (optional) continue;
      throw new Error(`${name} (needed by ${from || 'the extension'}) is not in package-lock.json`);
    }
    const entry = lock.packages[key];
    if (done.has(key)) continue;
    if (optional && isPlatformSpecific(entry) && !admits(entry, target)) continue;
    if (entry.dev) throw new Error(`${key} is a devDependency in package-lock.json but the runtime needs it`);
    done.add(key);
    const installed = join(repoRoot, key);
    const local = existsSync(join(installed, 'package.json')) && JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version === entry.version;
    if (local) {
      cpSync(installed, join(stageDir, key), { recursive: true, filter: (src) => src === installed || !src.startsWith(join(installed, 'node_modules')) });
    } else if (optional) {
      extractFromRegistry({ name, entry, dest: join(stageDir, key), tarballCache, log });
    } else {
      throw new Error(`${key} ${entry.version} is not installed: run npm ci first`);
    }
    copied.push({ key, version: entry.version, from: local ? 'node_modules' : 'registry' });
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push({ from: key, name: dep, optional: false });
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push({ from: key, name: dep, optional: true });
  }
  return copied;
}

/**
 * A package npm did not install here (another platform's binaries): `npm pack` fetches its tarball
 * from the registry, which must match package-lock.json's integrity, and it is unpacked in place.
 */
function extractFromRegistry({ name, entry, dest, tarballCache, log }) {
  mkdirSync(tarballCache, { recursive: true });
  const file = join(tarballCache, `${name.replace(/^@/, '').replace('/', '-')}-${entry.version}.tgz`);
  if (!existsSync(file) || integrityOf(file) !== entry.integrity) {
    log(`fetching ${name}@${entry.version} from the npm registry`);
    const pack = spawnSync('npm', ['pack', `${name}@${entry.version}`, '--pack-destination', tarballCache, '--json', '--ignore-scripts'], { encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`npm pack ${name}@${entry.version} failed: ${pack.stderr.trim().split('\n').slice(-3).join(' ')}`);
    const packed = join(tarballCache, basename(JSON.parse(pack.stdout)[0].filename));
    if (packed !== file) throw new Error(`npm pack wrote ${packed}, expected ${file}`);
  }
  const integrity = integrityOf(file);
  if (integrity !== entry.integrity) throw new Error(`${name}@${entry.version}: the registry's tarball is ${integrity}, package-lock.json says ${entry.integrity}`);
  mkdirSync(dest, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', file, '-C', dest, '--strip-components=1'], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`unpacking ${file} failed: ${untar.stderr}`);
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** onnxruntime-node carries every platform under bin/napi-v*\/<platform>/<arch>/: keep the target's only. */
function pruneOnnxruntimeBinaries(packageDir, targetName, target) {
  const bin = join(packageDir, 'bin');
  let kept = 0;
  for (const napi of readdirSync(bin)) {
    for (const platform of readdirSync(join(bin, napi))) {
      for (const arch of readdirSync(join(bin, napi, platform))) {
        if (platform === target.os && arch === target.cpu) kept++;
        else rmSync(join(bin, napi, platform, arch), { recursive: true });
      }
      if (readdirSync(join(bin, napi, platform)).length === 0) rmSync(join(bin, napi, platform), { recursive: true });
    }
  }
  if (kept === 0) throw new Error(`onnxruntime-node has no binaries for ${targetName} under ${bin}`);
}
