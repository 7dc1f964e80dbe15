// Compiled, weight-loaded onnxruntime sessions, keyed by model hash, weights identity
// (path + mtime + size, or the random seed) and EP choice. Lives in the worker process only.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Network } from '../../language/core/model';
import { CompileError, compileToOnnx } from '../onnx/build';
import { fileProblem } from '../onnx/file-errors';
import { randomWeights } from '../onnx/random-weights';
import { loadStateDict, type LoadedWeights } from '../onnx/state-dict';
import { EngineError } from './engine-error';
import type { SessionTimings, WeightsRequest, WeightsSummary } from '../../contracts/worker';
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
  /** Set until the first run has been profiled to learn which EP ran each node. */
  profilePrefix: string | undefined;
}

/** The network without source positions: moving text around must not recompile the model. */
export function networkHash(network: Network): string {
  const json = JSON.stringify(network, (key, value) =>
    key === 'range' || key === 'nameRange' || key === 'definition' ? undefined : typeof value === 'bigint' ? String(value) : value,
  );
  return createHash('sha256').update(json).digest('hex');
}

function weightsIdentity(request: WeightsRequest): string {
  if (request.kind === 'random') return `random:${request.seed}`;
  try {
    const { mtimeMs, size } = statSync(request.path);
    return `file:${request.path}:${mtimeMs}:${size}`;
  } catch (error) {
    throw new EngineError('weights', `cannot read weights file ${request.path}: ${fileProblem(error)}`);
  }
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

export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();
  private readonly profileFolder = mkdtempSync(join(tmpdir(), 'resnet-studio-profile-'));

  constructor(private capacity = 2) {}

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
  ): Promise<{ entry: CachedSession; timings: SessionTimings }> {
    const key = `${networkHash(network)}|${weightsIdentity(weightsRequest)}|${choice}|${threads}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return { entry: hit, timings: { cached: true, weightsMs: 0, compileMs: 0, sessionMs: 0 } };
    }

    let start = performance.now();
    const weights = await this.loadWeights(network, weightsRequest);
    const weightsMs = performance.now() - start;
    if (!weights.ok) {
      throw new EngineError('weights', `the weights do not fit network ${network.name}:\n${weights.details}`, summaryOf(weights));
    }

    start = performance.now();
    let model: Uint8Array;
    try {
      const metadata: Record<string, string> =
        weights.source.kind === 'random' ? { weights: `random (seed ${weights.source.seed})` } : {};
      // The weights were read for this session alone: folding may scale them where they are.
      model = compileToOnnx(network, weights.tensors, metadata, { consumeWeights: true });
    } catch (error) {
      if (error instanceof CompileError) throw new EngineError('compile', error.message);
      throw error;
    }
    const compileMs = performance.now() - start;

    start = performance.now();
    const { session, selected, attempts, profilePrefix } = await this.createSession(model, choice, threads);
    const sessionMs = performance.now() - start;

    const entry: CachedSession = {
      key,
      session,
      ep: { requested: choice, selected, nodesByEp: {}, ran: selected, attempts },
      weights: summaryOf(weights),
      profilePrefix,
    };
    this.entries.set(key, entry);
    // The session just created is about to run, so it stays even with capacity 0.
    await this.evict(Math.max(1, this.capacity));
    return { entry, timings: { cached: false, weightsMs, compileMs, sessionMs } };
  }

  /** After the first run of a session: which EP ran each node, from the profile ORT wrote. */
  collectProfile(entry: CachedSession): void {
    const prefix = entry.profilePrefix;
    if (prefix === undefined) return;
    entry.profilePrefix = undefined;
    entry.session.endProfiling();
    const base = prefix.slice(this.profileFolder.length + 1);
    for (const file of readdirSync(this.profileFolder).filter((f) => f.startsWith(base))) {
      const path = join(this.profileFolder, file);
      try {
        entry.ep.nodesByEp = nodesByEpFromProfile(JSON.parse(readFileSync(path, 'utf8')));
        entry.ep.ran = ranFromCounts(entry.ep.nodesByEp);
      } finally {
        rmSync(path, { force: true });
      }
    }
  }

  async dispose(): Promise<void> {
    for (const entry of this.entries.values()) await entry.session.release();
    this.entries.clear();
    rmSync(this.profileFolder, { recursive: true, force: true });
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

  private async createSession(model: Uint8Array, choice: EpChoice, threads: number) {
    const facts = { platform: process.platform, cudaPresent: cudaPresent(), gpuDevicePresent: process.platform === 'linux' && linuxGpuDevicePresent() };
    const { eps, skipped } = candidateEps(choice, facts);
    const attempts: EpAttempt[] = [...skipped];
    for (const ep of eps) {
      const profilePrefix = join(this.profileFolder, `s${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const start = performance.now();
      try {
        const session = await ort.InferenceSession.create(model, {
          executionProviders: [ep],
          graphOptimizationLevel: 'all',
          enableProfiling: true,
          profileFilePrefix: profilePrefix,
          logSeverityLevel: 3,
          ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
          // No busy-waiting between ops: the worker shares the machine with the editor.
          extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
        });
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
