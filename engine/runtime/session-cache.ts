// Compiled, weight-loaded onnxruntime sessions, keyed by model hash, weights identity
// (path + mtime + size, or the random seed) and EP choice. Lives in the worker process only.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Network } from '../../language/core/model';
import { buildModel, CompileError } from '../onnx/build';
import { camHead, type CamHead } from '../onnx/cam-head';
import { encodeModel } from '../onnx/encode';
import { fileProblem } from '../onnx/file-errors';
import { randomWeights } from '../onnx/random-weights';
import { loadStateDict, type LoadedWeights } from '../onnx/state-dict';
import { EngineError } from './engine-error';
import { MODEL_CACHE_ENV, ModelCache, type CacheHit, type PendingEntry } from './model-cache';
import type { Precision, SessionTimings, WeightsRequest, WeightsSummary } from '../../contracts/worker';
import { readExportedModel } from './exported-model';
import { runWindows, withinRun, type GraphNode } from './profile';
import {
  candidateEps,
  cudaProvidersPresent,
  installHint,
  linuxGpuDevicePresent,
  nodesByEpFromProfile,
  ortBinaryFolder,
  ranFromCounts,
  shortenEpError,
  type EpAttempt,
  type EpChoice,
  type EpName,
  type EpReport,
} from './providers';

export interface CachedSession {
  key: string;
  session: ort.InferenceSession;
  ep: EpReport;
  weights: WeightsSummary;
  precision: Precision;
  /** The most inputs one run takes (an exported model with a fixed batch of one); absent: any. */
  maxBatch?: number;
  /** Set until the first run has been profiled to learn which EP ran each node. */
  profilePrefix: string | undefined;
  /** The compiled graph's nodes, to map a profile back to layers. */
  graph: GraphNode[];
  /** With a CAM variant: the head, its linear layer's weight and the session output holding the feature map. */
  cam?: { head: CamHead; weight: Float32Array; output: string };
}

/** What a session is compiled for beyond the network: an extra output for class activation maps; per-layer profiling. */
export interface SessionVariant {
  cam?: boolean;
  /** A profiled session is never cached: onnxruntime profiles a session until endProfiling, once. */
  profile?: boolean;
}

const networkHashes = new WeakMap<Network, string>();

/**
 * The network without source positions: moving text around must not recompile the model. Kept per
 * Network object, which the worker receives once and reuses (see InferMessage).
 */
export function networkHash(network: Network): string {
  let hash = networkHashes.get(network);
  if (hash === undefined) {
    const json = JSON.stringify(network, (key, value) =>
      key === 'range' || key === 'nameRange' || key === 'definition' ? undefined : typeof value === 'bigint' ? String(value) : value,
    );
    hash = createHash('sha256').update(json).digest('hex');
    networkHashes.set(network, hash);
  }
  return hash;
}

function weightsIdentity(request: WeightsRequest): string {
  if (request.kind === 'random') return `random:${request.seed}`;
  try {
    const { mtimeMs, size } = statSync(request.path);
    return `${request.kind}:${request.path}:${mtimeMs}:${size}`;
  } catch (error) {
    const what = request.kind === 'model' ? 'the model file' : 'weights file';
    throw new EngineError(request.kind === 'model' ? 'model' : 'weights', `cannot read ${what} ${request.path}: ${fileProblem(error)}`);
  }
}

/** A model's nodes as the profile reader needs them. */
function graphNodes(nodes: readonly { name: string; op_type: string; input: string[]; output: string[] }[]): GraphNode[] {
  return nodes.map((n) => ({ name: n.name, opType: n.op_type, inputs: n.input, outputs: n.output }));
}

function summaryOf(weights: LoadedWeights): WeightsSummary {
  return {
    random: weights.source.kind === 'random',
    summary: weights.summary,
    details: weights.details,
    problems: weights.problems,
  };
}

const ortPackageFolder = () => dirname(require.resolve('onnxruntime-node/package.json'));

function cudaPresent(): boolean {
  try {
    return cudaProvidersPresent(ortBinaryFolder(ortPackageFolder()));
  } catch {
    return false;
  }
}

function modelCacheFromEnv(): ModelCache | undefined {
  const root = process.env[MODEL_CACHE_ENV];
  if (!root) return undefined;
  const version = (require('onnxruntime-node/package.json') as { version: string }).version;
  return new ModelCache(root, version);
}

/** Where the weights' values live for onnxruntime: the buffer they were read into, named in the model's external data. */
const WEIGHTS_LOCATION = 'weights';

interface SessionSource {
  /** The serialised model, or the path of one onnxruntime reads itself (with its weights file beside it). */
  model: Uint8Array | string;
  externalData?: { path: string; data: Uint8Array }[];
}

/** The worker's session options for `ep`. */
function sessionOptions(ep: EpName, threads: number, externalData: SessionSource['externalData']) {
  return {
    executionProviders: [ep],
    graphOptimizationLevel: 'all' as const,
    logSeverityLevel: 3 as const,
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    ...(externalData ? { externalData } : {}),
    // No busy-waiting between ops: the worker shares the machine with the editor.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } as Record<string, unknown> },
  };
}

export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();
  private readonly storing: (() => Promise<void>)[] = [];
  private readonly profileFolder = mkdtempSync(join(tmpdir(), 'resnet-studio-profile-'));

  constructor(
    private capacity = 2,
    private readonly modelCache = modelCacheFromEnv(),
  ) {}

  /**
   * Saves and publishes the optimized models of the sessions compiled since the last call: the worker
   * calls this once the response is sent, so neither the save nor hashing a weights file seen for the
   * first time (0.1 s per 100 MB) delays the first result.
   */
  async finishStoring(): Promise<void> {
    for (const store of this.storing.splice(0)) await store();
  }

  /** Takes effect at the next insertion or trim. */
  setCapacity(capacity: number): void {
    this.capacity = capacity;
  }

  /** Releases the least recently used sessions beyond the capacity (with capacity 0, all of them). */
  async trim(): Promise<void> {
    await this.evict(this.capacity);
  }

  async get(
    network: Network,
    weightsRequest: WeightsRequest,
    choice: EpChoice,
    threads = 0,
    variant: SessionVariant = {},
  ): Promise<{ entry: CachedSession; timings: SessionTimings }> {
    const head = variant.cam ? camHead(network) : undefined;
    const hash = networkHash(network);
    const key = `${hash}|${weightsIdentity(weightsRequest)}|${choice}|${threads}${head ? '|cam' : ''}`;
    const hit = variant.profile ? undefined : this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return { entry: hit, timings: { cached: true, weightsMs: 0, compileMs: 0, sessionMs: 0 } };
    }

    const stored = this.fromDisk(hash, weightsRequest, choice, variant, head);
    if (stored?.hit?.cam && stored.hit.camWeight?.length !== (head?.classes ?? 0) * (head?.channels ?? 0)) {
      // A classifier weight cut short: compiled and stored again.
      this.modelCache!.remove(stored.key!);
      stored.hit = undefined;
    }
    const fromDisk = stored?.hit && (await this.createFromDisk(stored.hit, stored.key!, choice, threads));
    if (stored?.hit && fromDisk) {
      const { session, attempts, profilePrefix, sessionMs } = fromDisk;
      const { weights, graph } = stored.hit;
      const ep = { requested: choice, selected: 'cpu' as const, nodesByEp: {}, ran: 'cpu' as const, attempts };
      const cam = head && stored.hit.cam ? { head, weight: stored.hit.camWeight!, output: stored.hit.cam.output } : undefined;
      const entry: CachedSession = { key, session, ep, weights, precision: 'fp32', profilePrefix, graph, ...(cam ? { cam } : {}) };
      return this.keep(entry, variant, { cached: false, weightsMs: stored.digestMs, compileMs: 0, sessionMs, modelCache: 'hit' });
    }

    const { bytes: model, buffer, weights, precision, weightsMs, compileMs, graph, cam, maxBatch } =
      weightsRequest.kind === 'model' ? await this.readModel(network, weightsRequest.path) : await this.compile(network, weightsRequest, head);

    const start = performance.now();
    const externalData = buffer ? [{ path: WEIGHTS_LOCATION, data: new Uint8Array(buffer) }] : undefined;
    const { session, selected, attempts, profilePrefix } = await this.createSession({ model, externalData }, choice, threads);
    const sessionMs = performance.now() - start;
    const storing = stored !== undefined && selected === 'cpu';
    if (storing) {
      // Saving the optimized model inside the session the request waits for costs the request as long
      // again (ResNet-50: 0.8 s beside a 0.1 s session), so a second session saves it after the response.
      // Published under the key of the file as it is then; a file written since the compile read it is not stored.
      this.storing.push(async () => {
        const pending = this.modelCache!.begin();
        if (!pending) return;
        const key = (await this.saveOptimized(model, externalData, pending, threads)) ? stored.keyAfterwards() : undefined;
        if (key) this.modelCache!.commit(pending, key, { weights, graph, ...(cam ? { cam: { output: cam.output } } : {}) }, cam?.weight);
        else this.modelCache!.discard(pending);
      });
    }

    const entry: CachedSession = {
      key,
      session,
      ep: { requested: choice, selected, nodesByEp: {}, ran: selected, attempts },
      weights,
      precision,
      profilePrefix,
      graph,
      ...(cam ? { cam } : {}),
      ...(maxBatch ? { maxBatch } : {}),
    };
    const digestMs = stored?.digestMs ?? 0;
    return this.keep(entry, variant, { cached: false, weightsMs: weightsMs + digestMs, compileMs, sessionMs, ...(storing ? { modelCache: 'stored' as const } : {}) });
  }

  private async keep(entry: CachedSession, variant: SessionVariant, timings: SessionTimings): Promise<{ entry: CachedSession; timings: SessionTimings }> {
    if (variant.profile) return { entry, timings };
    this.entries.set(entry.key, entry);
    // The session just created is about to run, so it stays even with capacity 0.
    await this.evict(Math.max(1, this.capacity));
    return { entry, timings };
  }

  /**
   * The disk cache's key for this request, and its entry when there is one: only for a weights file,
   * the network with or without its class-map output (not profiled), and the CPU EP tried first.
   */
  private fromDisk(hash: string, request: WeightsRequest, choice: EpChoice, variant: SessionVariant, head: CamHead | undefined) {
    const cache = this.modelCache;
    if (!cache || request.kind !== 'file' || variant.profile) return undefined;
    const kind = head ? 'cam' : '';
    if (candidateEps(choice, this.facts()).eps[0] !== 'cpu') return undefined;
    const start = performance.now();
    try {
      const identity = cache.identity(request.path);
      // A file not seen as it is now is hashed after the response (finishStoring), not before.
      const digest = cache.knownDigest(request.path);
      const key = digest === undefined ? undefined : cache.key(hash, request.path, digest, kind);
      const hit = key === undefined ? undefined : cache.lookup(key);
      const keyAfterwards = () => {
        const current = cache.weightsDigest(request.path, identity);
        return current === undefined ? undefined : cache.key(hash, request.path, current, kind);
      };
      return { hit, key, keyAfterwards, digestMs: performance.now() - start };
    } catch {
      // An unreadable weights file: reading it for the compile reports why.
      return undefined;
    }
  }

  /** A session on a stored optimized model; undefined (and the entry dropped) when it cannot be created, so the model is compiled again. */
  private async createFromDisk(hit: CacheHit, key: string, choice: EpChoice, threads: number) {
    const start = performance.now();
    try {
      const created = await this.createSession({ model: hit.modelPath }, choice, threads);
      if (created.selected === 'cpu') return { ...created, sessionMs: performance.now() - start };
      await created.session.release();
    } catch {
      // Fall through: compiled again, and stored again.
    }
    this.modelCache!.remove(key);
    return undefined;
  }

  /**
   * Ends the profiling of a session: which EP ran each node (after a session's first run, or from the
   * first run of a profiled one); returns the profile's events.
   */
  collectProfile(entry: CachedSession): unknown[] {
    const prefix = entry.profilePrefix;
    if (prefix === undefined) return [];
    entry.profilePrefix = undefined;
    entry.session.endProfiling();
    const base = prefix.slice(this.profileFolder.length + 1);
    let events: unknown[] = [];
    for (const file of readdirSync(this.profileFolder).filter((f) => f.startsWith(base))) {
      const path = join(this.profileFolder, file);
      try {
        const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
        events = Array.isArray(parsed) ? parsed : [];
        const [firstRun] = runWindows(events);
        entry.ep.nodesByEp = nodesByEpFromProfile(firstRun ? events.filter((e) => withinRun(e, firstRun)) : events);
        entry.ep.ran = ranFromCounts(entry.ep.nodesByEp);
      } finally {
        rmSync(path, { force: true });
      }
    }
    return events;
  }

  async dispose(): Promise<void> {
    await this.finishStoring();
    for (const entry of this.entries.values()) await entry.session.release();
    this.entries.clear();
    rmSync(this.profileFolder, { recursive: true, force: true });
  }

  /** Has onnxruntime save the optimized model of `model` into `pending` (a session made for that alone); false when it cannot (a full disk). */
  private async saveOptimized(model: Uint8Array, externalData: SessionSource['externalData'], pending: PendingEntry, threads: number): Promise<boolean> {
    const options = sessionOptions('cpu', threads, externalData);
    try {
      const session = await ort.InferenceSession.create(model, {
        ...options,
        optimizedModelFilePath: pending.sessionOptions.optimizedModelFilePath,
        extra: { session: { ...options.extra.session, ...pending.sessionOptions.extra.session } },
      });
      await session.release();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * An exported model (`--model`) in place of the compiled network; reading it counts as the weights'
   * time. It has no class-map output (its graph is not the network's to extend).
   */
  private async readModel(network: Network, path: string) {
    const start = performance.now();
    const exported = await readExportedModel(path, network);
    return { maxBatch: undefined, ...exported, buffer: undefined, weightsMs: performance.now() - start, compileMs: 0, cam: undefined };
  }

  /**
   * The network compiled with its weights (with `head`, the feature map entering its pooling as a
   * second output): the model's bytes, its nodes, and how long reading and compiling took.
   */
  private async compile(network: Network, request: Exclude<WeightsRequest, { kind: 'model' }>, head: CamHead | undefined) {
    let start = performance.now();
    const loaded = await this.loadWeights(network, request);
    const weightsMs = performance.now() - start;
    if (!loaded.ok) {
      throw new EngineError('weights', `the weights do not fit network ${network.name}:\n${loaded.details}`, summaryOf(loaded));
    }
    start = performance.now();
    let bytes: Uint8Array;
    let graph: GraphNode[];
    let featuresOutput: string | undefined;
    try {
      const metadata: Record<string, string> = loaded.source.kind === 'random' ? { weights: `random (seed ${loaded.source.seed})` } : {};
      // The weights were read for this session alone: folding may scale them where they are.
      const proto = buildModel(network, loaded.tensors, metadata, { exposeInputOf: head?.pool, consumeWeights: true });
      graph = graphNodes(proto.graph.node);
      featuresOutput = proto.graph.output[1]?.name;
      // The weights read from a file stay where they were read (and folded): the model refers to them.
      bytes = encodeModel(proto, loaded.buffer && { location: WEIGHTS_LOCATION, buffer: loaded.buffer });
    } catch (error) {
      if (error instanceof CompileError) throw new EngineError('compile', error.message);
      throw error;
    }
    // A copy: a view would keep the whole buffer the weights were read into alive with the session.
    const cam = head && featuresOutput ? { head, weight: loaded.tensors.get(head.weightKey)!.slice(), output: featuresOutput } : undefined;
    return { bytes, buffer: loaded.buffer, graph, cam, maxBatch: undefined, weights: summaryOf(loaded), precision: 'fp32' as const, weightsMs, compileMs: performance.now() - start };
  }

  private async loadWeights(network: Network, request: WeightsRequest): Promise<LoadedWeights> {
    if (request.kind === 'random') return randomWeights(network, request.seed);
    try {
      return await loadStateDict(network, request.path);
    } catch (error) {
      // SafetensorsError and unreadable files alike: one clear message, reported on the weights line.
      throw new EngineError('weights', error instanceof Error ? error.message : String(error));
    }
  }

  private facts() {
    return { platform: process.platform, cudaPresent: cudaPresent(), gpuDevicePresent: process.platform === 'linux' && linuxGpuDevicePresent() };
  }

  private async createSession(source: SessionSource, choice: EpChoice, threads: number) {
    const { eps, skipped } = candidateEps(choice, this.facts());
    const attempts: EpAttempt[] = [...skipped];
    for (const ep of eps) {
      const profilePrefix = join(this.profileFolder, `s${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const options = { ...sessionOptions(ep, threads, source.externalData), enableProfiling: true, profileFilePrefix: profilePrefix };
      const start = performance.now();
      try {
        const session = typeof source.model === 'string' ? await ort.InferenceSession.create(source.model, options) : await ort.InferenceSession.create(source.model, options);
        attempts.push({ ep, ok: true, ms: performance.now() - start });
        return { session, selected: ep as EpName, attempts, profilePrefix };
      } catch (error) {
        attempts.push({ ep, ok: false, error: shortenEpError(String((error as Error).message ?? error)), ms: performance.now() - start });
      }
    }
    const last = attempts[attempts.length - 1]!;
    if (choice === 'auto') {
      const tried = attempts.map((a) => `${a.ep}: ${a.error}`).join('; ');
      throw new EngineError('ep', `no execution provider could start (${tried})`);
    }
    const reason = (last.error ?? 'failed').replace(/\.+$/, '');
    throw new EngineError('ep', `cannot start the ${last.ep} execution provider: ${reason}. ${installHint(last.ep as EpName, ortPackageFolder())}.`);
  }

  private async evict(capacity: number): Promise<void> {
    while (this.entries.size > capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedSession];
      this.entries.delete(oldestKey);
      await oldest.session.release();
    }
  }
}
