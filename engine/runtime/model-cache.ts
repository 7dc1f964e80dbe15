// A disk cache of onnxruntime's optimized models, so that the second cold start of a network with the
// same weights skips reading, folding, compiling and optimizing: onnxruntime saves the model as it is
// after its graph optimizations (optimizedModelFilePath), its weights in a file of their own beside it,
// which it maps into memory when the model is loaded again instead of copying it.
//
// An entry is keyed by the content of the weights file (SHA-256), the network (networkHash), the weights
// file's name (it appears in the weights summary), onnxruntime's version and this CPU (the optimized
// graph is laid out for its vector width). Hashing 100 MB costs about 0.1 s, so the digest of a file is
// remembered beside its identity (device, inode, size, modification and change times, as git's index
// does): a file written since has another identity and is hashed again. A digest recorded less than
// RACY_MS after the file's modification is not trusted (a write within the file system's timestamp
// granularity would keep the identity). The cache keeps the MAX_ENTRIES most recently used entries.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { cpus, homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { WeightsSummary } from '../../contracts/worker';
import type { GraphNode } from './profile';

/** Bumped when an entry's layout or meaning changes. */
const FORMAT = 1;
const MAX_ENTRIES = 4;
const MAX_DIGESTS = 64;
const RACY_MS = 3000;
/** An unfinished entry (a worker that died while storing) older than this is removed. */
const STALE_TEMP_MS = 3600_000;

export const MODEL_FILE = 'model.onnx';
export const WEIGHTS_FILE = 'weights.bin';
const MANIFEST_FILE = 'entry.json';
/** A class-map variant's classifier weight ([classes, channels] float32), which the session does not give back. */
const CAM_WEIGHT_FILE = 'cam-weight.bin';
const INDEX_FOLDER = 'digests';
const TEMP_PREFIX = 'tmp-';

/** What the cache keeps beside the model: what the first start reported about the weights, and the compiled graph's nodes. */
export interface CachedModelInfo {
  weights: WeightsSummary;
  graph: GraphNode[];
  /** A class-map variant: the output holding the feature map. */
  cam?: { output: string };
}

export interface CacheHit extends CachedModelInfo {
  modelPath: string;
  /** With `cam`: the classifier's weight as stored. */
  camWeight?: Float32Array;
}

/** Where onnxruntime writes an optimized model being stored; `commit` publishes it under its key. */
export interface PendingEntry {
  folder: string;
  /** Session options that make onnxruntime save the optimized model and its weights here. */
  sessionOptions: { optimizedModelFilePath: string; extra: { session: Record<string, string> } };
}

export interface Identity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

function identityOf(path: string): Identity & { mtimeMs: number } {
  const s = statSync(path, { bigint: true });
  return { dev: String(s.dev), ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs), mtimeMs: Number(s.mtimeMs) };
}

const sameIdentity = (a: Identity, b: Identity) => a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** SHA-256 of a file's content, read in chunks into one small buffer. */
export function fileDigest(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(4 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** The CPU as the optimized graph depends on it: its model and, on Linux, its instruction set flags. */
function cpuIdentity(): string {
  let flags = '';
  try {
    flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '';
  } catch {
    // Not Linux: the model name has to do.
  }
  return `${process.arch} ${cpus()[0]?.model ?? ''} ${flags}`;
}

/** The worker's variable naming the cache folder (set by the client that starts it); absent or empty: no cache. */
export const MODEL_CACHE_ENV = 'RESNET_STUDIO_MODEL_CACHE';

/** The per-user cache folder the CLI and the extension share (XDG_CACHE_HOME, ~/Library/Caches, %LOCALAPPDATA%). */
export function defaultModelCacheFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'resnet-studio', 'Cache', 'models');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'resnet-studio', 'models');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'resnet-studio', 'models');
}

export class ModelCache {
  private readonly machine: string;

  constructor(
    readonly root: string,
    onnxruntimeVersion: string,
    private readonly maxEntries = MAX_ENTRIES,
  ) {
    this.machine = `${onnxruntimeVersion} ${cpuIdentity()}`;
  }

  /** The identity of a file, to check later that it was not written meanwhile. */
  identity(path: string): Identity {
    const { mtimeMs: _, ...identity } = identityOf(path);
    return identity;
  }

  /** The record of a file's digest, when the file is still as it was then; `trusted` unless it was recorded too soon after a write to be sure. */
  private record(absolutePath: string): { digest: string; trusted: boolean } | undefined {
    const identity = identityOf(absolutePath);
    try {
      const recorded = JSON.parse(readFileSync(this.indexFile(absolutePath), 'utf8')) as Identity & { digest: string; recordedMs: number };
      if (sameIdentity(recorded, identity)) return { digest: recorded.digest, trusted: recorded.recordedMs - identity.mtimeMs > RACY_MS };
    } catch {
      // No record yet, or an unreadable one.
    }
    return undefined;
  }

  /**
   * The digest of a file seen before as it is now: the recorded one, or the file hashed again when the
   * record is too close to a write to be trusted; undefined for a file not seen as it is (new or written since).
   */
  knownDigest(path: string): string | undefined {
    const record = this.record(resolve(path));
    if (!record) return undefined;
    return record.trusted ? record.digest : this.weightsDigest(path);
  }

  /**
   * The content digest of a weights file: the recorded one, else the file hashed (and recorded).
   * With `expected`, undefined when the file's identity is another, before or after hashing: it was
   * written since `expected` was taken.
   */
  weightsDigest(path: string, expected?: Identity): string | undefined {
    const absolute = resolve(path);
    const before = this.identity(absolute);
    if (expected && !sameIdentity(before, expected)) return undefined;
    const recorded = this.record(absolute);
    if (recorded?.trusted) return recorded.digest;
    const digest = fileDigest(absolute);
    // Written while it was read: the digest is of neither version.
    if (!sameIdentity(this.identity(absolute), before)) return undefined;
    try {
      mkdirSync(join(this.root, INDEX_FOLDER), { recursive: true });
      writeFileSync(this.indexFile(absolute), JSON.stringify({ ...before, digest, recordedMs: Date.now() }));
    } catch {
      // A cache that cannot be written only costs the next start a hash.
    }
    return digest;
  }

  private indexFile(absolutePath: string): string {
    return join(this.root, INDEX_FOLDER, `${sha256(absolutePath)}.json`);
  }

  /** `variant` names a model compiled with more than the network ('cam': the feature map as a second output). */
  key(networkHash: string, weightsPath: string, digest: string, variant = ''): string {
    return sha256(JSON.stringify([FORMAT, this.machine, networkHash, digest, basename(weightsPath), ...(variant ? [variant] : [])]));
  }

  lookup(key: string): CacheHit | undefined {
    const folder = join(this.root, key);
    try {
      const info = JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8')) as CachedModelInfo;
      const now = new Date();
      // The manifest's modification time orders entries by last use.
      utimesSync(join(folder, MANIFEST_FILE), now, now);
      if (!info.cam) return { ...info, modelPath: join(folder, MODEL_FILE) };
      const bytes = readFileSync(join(folder, CAM_WEIGHT_FILE));
      const camWeight = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength - (bytes.byteLength % 4)));
      return { ...info, modelPath: join(folder, MODEL_FILE), camWeight };
    } catch {
      // No entry, or a damaged one (published entries are whole: renamed into place), which goes.
      removeQuietly(folder);
      return undefined;
    }
  }

  /** A fresh folder for onnxruntime to save an optimized model into; undefined when the cache cannot be written. */
  begin(): PendingEntry | undefined {
    try {
      mkdirSync(this.root, { recursive: true });
      const folder = join(this.root, `${TEMP_PREFIX}${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      mkdirSync(folder);
      return {
        folder,
        sessionOptions: {
          optimizedModelFilePath: join(folder, MODEL_FILE),
          extra: {
            session: {
              // Relative to the model's folder.
              optimized_model_external_initializers_file_name: WEIGHTS_FILE,
              optimized_model_external_initializers_min_size_in_bytes: '1024',
            },
          },
        },
      };
    } catch {
      return undefined;
    }
  }

  /** Publishes a stored model under its key (another process may have published it first) and drops the least recently used entries beyond the bound. */
  commit(pending: PendingEntry, key: string, info: CachedModelInfo, camWeight?: Float32Array): void {
    try {
      if (info.cam) writeFileSync(join(pending.folder, CAM_WEIGHT_FILE), new Uint8Array(camWeight!.buffer, camWeight!.byteOffset, camWeight!.byteLength));
      writeFileSync(join(pending.folder, MANIFEST_FILE), JSON.stringify(info));
      renameSync(pending.folder, join(this.root, key));
    } catch {
      this.discard(pending);
    }
    this.trim();
  }

  /** Drops an entry onnxruntime could not load. */
  remove(key: string): void {
    removeQuietly(join(this.root, key));
  }

  discard(pending: PendingEntry): void {
    removeQuietly(pending.folder);
  }

  /** Removes entries beyond the bound, least recently used first, and unfinished ones left behind. */
  private trim(): void {
    const entries: { folder: string; used: number }[] = [];
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return;
    }
    for (const name of names) {
      const folder = join(this.root, name);
      try {
        if (name === INDEX_FOLDER) continue;
        if (name.startsWith(TEMP_PREFIX)) {
          if (Date.now() - statSync(folder).mtimeMs > STALE_TEMP_MS) removeQuietly(folder);
          continue;
        }
        entries.push({ folder, used: statSync(join(folder, MANIFEST_FILE)).mtimeMs });
      } catch {
        // Removed meanwhile by another process, or not an entry.
      }
    }
    entries.sort((a, b) => b.used - a.used);
    for (const { folder } of entries.slice(this.maxEntries)) removeQuietly(folder);
    // Digests of files no longer used: keep the most recent.
    const index = join(this.root, INDEX_FOLDER);
    try {
      const records = readdirSync(index).map((name) => ({ path: join(index, name), used: statSync(join(index, name)).mtimeMs }));
      records.sort((a, b) => b.used - a.used);
      for (const { path } of records.slice(MAX_DIGESTS)) removeQuietly(path);
    } catch {
      // Changed meanwhile by another process.
    }
  }
}

/**
 * A session of another process may still map an entry's weights: removing the files does not disturb
 * it on Linux or macOS; on Windows the removal fails and a later trim retries.
 */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Retried at the next trim.
  }
}
