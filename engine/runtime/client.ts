// Starts the inference worker (a forked process) and talks to it. A worker that dies fails the
// requests in flight with a 'crash' error; the next request starts a fresh worker.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Network } from '../../language/core/model';
import { defaultModelCacheFolder, MODEL_CACHE_ENV } from './model-cache';
import { keepNetwork, type ErrorKind, type InferRequest, type InferResult, type InputResult, type SessionTimings, type WeightsSummary, type WorkerRequest, type WorkerResponse } from '../../contracts/worker';

export interface ClientOptions {
  /** The worker script: dist/worker.js next to the bundle by default; the .ts source in tests. */
  workerPath?: string;
  /** Node flags for the worker, e.g. ['--import', 'tsx'] to run the TypeScript source. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** The disk cache of optimized models (model-cache.ts): a folder, or false for none; absent: RESNET_STUDIO_MODEL_CACHE from `env`, else the per-user cache folder. */
  modelCache?: string | false;
}

export class InferenceError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly weights?: WeightsSummary,
  ) {
    super(message);
    this.name = 'InferenceError';
  }

  /** The message's first line, for a notification (the rest, such as the worker's output, goes to the log). */
  get headline(): string {
    return this.message.split('\n')[0]!;
  }
}

interface Pending {
  resolve: (result: InferResult) => void;
  reject: (error: InferenceError) => void;
  /** With progress: the results received so far, and who is told of each batch. */
  received: InputResult[];
  onProgress?: (results: InputResult[], session: SessionTimings) => void;
}

const OUTPUT_TAIL_CHARS = 4000;

/** dist/worker.js beside the bundle; when running from source (tsx), worker.ts beside this file. */
function defaultWorker(): { path: string; execArgv: string[] } {
  const bundled = join(__dirname, 'worker.js');
  if (existsSync(bundled) || !__filename.endsWith('.ts')) return { path: bundled, execArgv: [] };
  return { path: join(__dirname, 'worker.ts'), execArgv: ['--import', 'tsx'] };
}

/**
 * glibc malloc settings for the worker (other C libraries ignore the variable), each unless the
 * caller's GLIBC_TUNABLES sets it. The worker's memory is mostly weights and activations of a few MB to
 * tens of MB, and on machines where each 4 kB page fault is slow (virtual machines) fresh memory is
 * what a cold start pays for: huge pages (2 MB) make a fresh 100 MB cost a tenth of 0.4 s; blocks up to
 * 32 MB (the most glibc allows) taken from the heap rather than each from its own mmap, so memory that
 * onnxruntime frees while it optimizes a model is reused instead of returned and faulted in again
 * (ResNet-50's first session 0.15 s instead of 0.4 s).
 */
const WORKER_TUNABLES = ['glibc.malloc.hugetlb=1', 'glibc.malloc.mmap_threshold=33554432'];

/** The worker's environment. */
export function workerEnv(env: NodeJS.ProcessEnv, modelCacheOption: string | false | undefined): NodeJS.ProcessEnv {
  const modelCache = modelCacheOption ?? (env[MODEL_CACHE_ENV] ?? defaultModelCacheFolder(env));
  const given = env.GLIBC_TUNABLES ?? '';
  const added = WORKER_TUNABLES.filter((tunable) => !given.includes(`${tunable.split('=')[0]}=`));
  const tunables = [given, ...added].filter(Boolean).join(':');
  return {
    ...env,
    RESNET_STUDIO_WORKER: '1',
    ...(process.platform === 'linux' && tunables ? { GLIBC_TUNABLES: tunables } : {}),
    [MODEL_CACHE_ENV]: modelCache || '',
  };
}

export class InferenceClient {
  private child: ChildProcess | undefined;
  private output = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** A key per Network object sent (see InferMessage). */
  private readonly networkKeys = new WeakMap<Network, number>();
  private nextNetworkKey = 1;
  /** The keys of the networks the current worker holds. */
  private workerNetworks = new Map<number, true>();

  constructor(private readonly options: ClientOptions = {}) {}

  /**
   * Starts the worker ahead of its first request, so that the process start and the loading of
   * onnxruntime and sharp overlap with what the caller does meanwhile (reading the network, the user
   * picking an image). Does nothing while a worker runs.
   */
  start(): void {
    const child = this.ensureWorker();
    if (this.pending.size === 0) this.setKeepsHostAlive(child, false);
  }

  /**
   * Runs a request in the worker. With `onProgress`, each batch's results are passed on as soon as
   * the worker has run it; the result resolved at the end holds all of them, in order, either way.
   */
  infer(
    request: Omit<InferRequest, 'type' | 'id' | 'progress'>,
    signal?: AbortSignal,
    onProgress?: (results: InputResult[], session: SessionTimings) => void,
  ): Promise<InferResult> {
    const id = this.nextId++;
    return new Promise<InferResult>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new InferenceError('cancelled', 'cancelled'));
        return;
      }
      const child = this.ensureWorker();
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        this.post(child, { type: 'cancel', id });
        reject(new InferenceError('cancelled', 'cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        received: [],
        onProgress,
      });
      this.setKeepsHostAlive(child, true);
      const { network, ...rest } = request;
      let networkKey = this.networkKeys.get(network);
      if (networkKey === undefined) this.networkKeys.set(network, (networkKey = this.nextNetworkKey++));
      const held = this.workerNetworks.has(networkKey);
      keepNetwork(this.workerNetworks, networkKey, true);
      this.post(child, { type: 'infer', id, ...rest, networkKey, ...(held ? {} : { network }), progress: onProgress !== undefined });
    });
  }

  /** Stops the worker; sessions are lost and the next request starts a fresh one. */
  async dispose(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.failPending(new InferenceError('cancelled', 'the inference client was disposed'));
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // A worker that was started ahead and never asked for anything has nothing to finish.
      if (child.connected && this.workerNetworks.size > 0) child.disconnect();
      else child.kill();
    });
  }

  /** The worker's process id, while one runs (tests use it to check crash recovery). */
  get workerPid(): number | undefined {
    return this.child?.pid;
  }

  private ensureWorker(): ChildProcess {
    if (this.child) return this.child;
    const fallback = defaultWorker();
    const child = fork(this.options.workerPath ?? fallback.path, [], {
      execArgv: this.options.execArgv ?? (this.options.workerPath ? [] : fallback.execArgv),
      env: workerEnv(this.options.env ?? process.env, this.options.modelCache),
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.output = '';
    this.workerNetworks = new Map();
    const keepTail = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    child.on('message', (response: WorkerResponse) => this.onResponse(child, response));
    child.on('error', (error) => this.onExit(child, `could not be started: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(child, signal ? `was killed by ${signal}` : `exited with code ${code}`));
    this.child = child;
    return child;
  }

  private post(child: ChildProcess, message: WorkerRequest): void {
    if (child.connected) child.send(message);
  }

  private onResponse(child: ChildProcess, response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    if (response.type === 'progress') {
      pending.received.push(...response.results);
      pending.onProgress?.(response.results, response.session);
      return;
    }
    this.pending.delete(response.id);
    if (response.type === 'result') pending.resolve({ ...response, results: [...pending.received, ...response.results] });
    else pending.reject(new InferenceError(response.kind, response.message, response.weights));
    if (this.pending.size === 0) this.setKeepsHostAlive(child, false);
  }

  /** An idle worker must not keep the host process (e.g. the CLI) alive; a busy one must. */
  private setKeepsHostAlive(child: ChildProcess, alive: boolean): void {
    type Handle = { ref?: () => void; unref?: () => void } | null | undefined;
    const handles: Handle[] = [child, child.channel as Handle, child.stdout as Handle, child.stderr as Handle];
    for (const handle of handles) (alive ? handle?.ref : handle?.unref)?.call(handle);
  }

  private onExit(child: ChildProcess, how: string): void {
    if (this.child === child) this.child = undefined;
    const tail = this.output.trim();
    const details = tail ? `\nworker output:\n${tail}` : '';
    this.failPending(new InferenceError('crash', `the inference worker ${how}${details}`));
  }

  private failPending(error: InferenceError): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
  }
}
