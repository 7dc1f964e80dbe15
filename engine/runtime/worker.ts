// The inference worker: a child process (fork) that owns onnxruntime and sharp, so a native crash
// takes down only this process. It serves InferRequests one at a time, running `batch` inputs per
// model run; a cancel request stops the current one between batches.
import * as ort from 'onnxruntime-node';
import { formatDims } from '../../language/core/format';
import type { Network } from '../../language/core/model';
import { INPUT_NAME, OUTPUT_NAME } from '../onnx/build';
import { EngineError } from './engine-error';
import { networkPreprocess } from './network-preprocess';
import { keepNetwork, shownFrame, type ClipInfo, type InferRequest, type InputResult, type InputSpec, type SeenImage, type WorkerRequest, type WorkerResponse } from '../../contracts/worker';
import { classActivationMap, occludedInput, occlusionMaps, occlusionPatches, type CamMaps } from './cam';
import { frameOfVolume } from './cam-overlay';
import { topK } from './classes';
import { layerProfile, nodeTimes, runWindows } from './profile';
import { simdKernels } from './resample';
import { SessionCache, type CachedSession } from './session-cache';

interface PreparedInput {
  label: string;
  data: Float32Array;
  dims: number[];
  decodeMs: number;
  preprocessMs: number;
  seen?: SeenImage;
  original?: { width: number; height: number };
  clip?: ClipInfo;
}

/** Loaded on first use, once: sharp is only needed for image inputs. */
let preprocessModule: Promise<typeof import('./preprocess')> | undefined;
const loadPreprocess = () => (preprocessModule ??= import('./preprocess'));
let clipModule: Promise<typeof import('./clip')> | undefined;
const loadClip = () => (clipModule ??= import('./clip'));

/** `tensor`: an array the image's tensor may be written into (see Worker.spareTensors). */
async function prepare(input: InputSpec, network: Network, expected: number[], tensor?: Float32Array): Promise<PreparedInput> {
  if (input.kind === 'tensor') {
    if (input.dims.slice(1).some((d, i) => d !== expected[i])) {
      throw new EngineError('input', `${input.label}: tensor is ${formatDims(input.dims)}, the network expects 1×${formatDims(expected)}`);
    }
    return { label: input.label, data: input.data, dims: input.dims, decodeMs: 0, preprocessMs: 0 };
  }
  const spec = networkPreprocess(network);
  let prepared;
  try {
    // A C×T×H×W input reads the path as a clip.
    if (expected.length === 4) {
      const { preprocessClip } = await loadClip();
      prepared = await preprocessClip(input.path, spec, expected);
    } else {
      const { preprocessImageFile } = await loadPreprocess();
      prepared = await preprocessImageFile(input.path, spec, expected, tensor);
    }
  } catch (error) {
    const sizeProblem = (error as Error).name === 'PreprocessError';
    const missingSection =
      network.preprocess || !sizeProblem
        ? ''
        : ` (network ${network.name} has no preprocess section yet, so images must already be ${expected.slice(-2).join("×")})`;
    // Decode errors already name the file; preprocessing errors do not.
    const message = (error as Error).message;
    throw new EngineError('input', `${message.includes(input.path) ? '' : `${input.path}: `}${message}${missingSection}`);
  }
  if (prepared.dims.slice(1).some((d: number, i: number) => d !== expected[i])) {
    const hint = network.preprocess
      ? 'check the preprocess section'
      : `add a preprocess section (e.g. \`preprocess imagenet\`, or resize and center_crop) to network ${network.name}`;
    throw new EngineError(
      'input',
      `${input.path}: the image gives a ${formatDims(prepared.dims.slice(1))} tensor but the network expects ${formatDims(expected)}; ${hint}`,
    );
  }
  return { label: input.path, data: prepared.data, dims: prepared.dims, ...prepared.timings, seen: prepared.seen, original: prepared.original, ...('clip' in prepared ? { clip: prepared.clip } : {}) };
}

/** Masked inputs per model run of an occlusion map (49 in all). */
const OCCLUSION_BATCH = 16;

/** Input tensors kept between runs: enough for one image at a time, or one ahead. */
const SPARE_TENSORS = 2;

/** Inputs prepared beyond the current batch, at least. */
const LOOKAHEAD = 16;

/** An input ready to run, an input's own error (it is skipped), or an error that fails the request. */
type Prepared = PreparedInput | InputResult | { fatal: unknown };

/** prepare() that never rejects, so an input prepared ahead of a cancelled request raises nothing. */
function settle(input: InputSpec, network: Network, expected: number[], tensor?: Float32Array): Promise<Prepared> {
  return prepare(input, network, expected, tensor).catch((error: unknown) => {
    if (!(error instanceof EngineError && error.kind === 'input')) return { fatal: error };
    const label = input.kind === 'image' ? input.path : input.label;
    return { label, error: error.message, timings: { decodeMs: 0, preprocessMs: 0, runMs: 0 } };
  });
}

export class Worker {
  private readonly cache = new SessionCache();
  private batchBuffer = new Float32Array(0);
  /** Input tensors whose run is over, kept for the next images (a fresh one costs page faults). */
  private spareTensors: Float32Array[] = [];
  private readonly cancelled = new Set<number>();
  private queue: Promise<void> = Promise.resolve();
  /** The networks sent by the client, by key (see InferMessage). */
  private readonly networks = new Map<number, Network>();

  constructor(private readonly send: (response: WorkerResponse) => void) {}

  receive(message: WorkerRequest): void {
    if (message.type === 'cancel') {
      this.cancelled.add(message.id);
      return;
    }
    const network = message.network ?? this.networks.get(message.networkKey);
    if (!network) {
      this.send({ type: 'error', id: message.id, kind: 'internal', message: `the worker holds no network with key ${message.networkKey}` });
      return;
    }
    keepNetwork(this.networks, message.networkKey, network);
    const request: InferRequest = { ...message, network };
    this.queue = this.queue.then(() => this.serve(request));
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.cache.dispose();
  }

  private async serve(request: InferRequest): Promise<void> {
    try {
      const response = await this.infer(request);
      await this.cache.trim();
      this.send(response);
    } catch (error) {
      if (error instanceof EngineError) {
        this.send({ type: 'error', id: request.id, kind: error.kind, message: error.message, ...(error.weights ? { weights: error.weights } : {}) });
      } else {
        this.send({ type: 'error', id: request.id, kind: 'internal', message: String((error as Error)?.stack ?? error) });
      }
    } finally {
      this.cancelled.delete(request.id);
      await this.cache.finishStoring();
    }
  }

  private checkCancelled(id: number): void {
    if (this.cancelled.has(id)) throw new EngineError('cancelled', 'cancelled');
  }

  private async infer(request: InferRequest): Promise<WorkerResponse> {
    const { network } = request;
    if (!network.input) throw new EngineError('compile', `network ${network.name} has no input statement`);
    const expected = network.input;
    this.checkCancelled(request.id);
    if (request.sessionCacheSize !== undefined) this.cache.setCapacity(request.sessionCacheSize);
    if (request.cam !== undefined || request.profile === true) return this.inferExplained(request, network, expected);
    const { entry, timings } = await this.cache.get(network, request.weights, request.ep, request.threads);
    const { inputs } = request;
    const batch = Math.min(Math.max(1, Math.floor(request.batch ?? 1)), entry.maxBatch ?? Infinity);
    // Inputs are decoded and preprocessed ahead of the run that needs them: sharp decodes on libuv's
    // threads while onnxruntime (which blocks this thread) runs the batch before.
    const lookahead = Math.max(batch, LOOKAHEAD);
    const preparing: (Promise<Prepared> | undefined)[] = [];
    const results: InputResult[] = [];
    for (let begin = 0; begin < inputs.length; begin += batch) {
      const end = Math.min(begin + batch, inputs.length);
      while (preparing.length < Math.min(end + lookahead, inputs.length)) {
        preparing.push(settle(inputs[preparing.length]!, network, expected, this.spareTensors.pop()));
      }
      this.checkCancelled(request.id);
      const prepared = await Promise.all(preparing.slice(begin, end) as Promise<Prepared>[]);
      preparing.fill(undefined, begin, end);
      this.checkCancelled(request.id);
      const ran = await this.runBatch(entry, prepared, expected, request.includeSeenImage === true);
      for (const p of prepared) if ('data' in p && this.spareTensors.length < SPARE_TENSORS) this.spareTensors.push(p.data);
      if (request.progress) this.send({ type: 'progress', id: request.id, results: ran, session: timings });
      else results.push(...ran);
    }
    return { type: 'result', id: request.id, results, ep: entry.ep, weights: entry.weights, session: timings, precision: entry.precision };
  }

  /**
   * With class maps or per-layer timings: one input per run, on a session with the feature-map output
   * (class maps) or a profiled session of its own (timings, warmed up by one run per input).
   */
  private async inferExplained(request: InferRequest, network: Network, expected: number[]): Promise<WorkerResponse> {
    const variant = { cam: request.cam !== undefined, profile: request.profile === true };
    const { entry, timings } = await this.cache.get(network, request.weights, request.ep, request.threads, variant);
    const session = new CountedRuns(entry);
    try {
      const results: InputResult[] = [];
      /** Per result: the index of its measured run in the profile. */
      const measuredRuns = new Map<InputResult, number>();
      for (const input of request.inputs) {
        this.checkCancelled(request.id);
        const prepared = await settle(input, network, expected);
        if ('fatal' in prepared) throw prepared.fatal;
        if (!('data' in prepared)) {
          results.push(prepared);
          continue;
        }
        if (variant.profile) await session.run(prepared.label, prepared.data, prepared.dims);
        const measured = session.count;
        const start = performance.now();
        const output = await session.run(prepared.label, prepared.data, prepared.dims);
        const runMs = performance.now() - start;
        if (!variant.profile) this.cache.collectProfile(entry);
        const logits = output[OUTPUT_NAME]!.data as Float32Array;
        const result: InputResult = {
          label: prepared.label,
          logits: new Float32Array(logits),
          timings: { decodeMs: prepared.decodeMs, preprocessMs: prepared.preprocessMs, runMs },
          ...(prepared.original ? { original: prepared.original } : {}),
          ...(prepared.clip ? { clip: prepared.clip } : {}),
          ...(request.includeSeenImage && prepared.seen ? { seen: prepared.seen } : {}),
        };
        if (request.cam && (entry.cam || request.cam.occlusion !== false)) result.cam = await this.classMaps(session, prepared, output, request.cam.classes, request.id);
        measuredRuns.set(result, measured);
        results.push(result);
      }
      if (variant.profile) {
        const events = this.cache.collectProfile(entry);
        const windows = runWindows(events);
        for (const [result, index] of measuredRuns) {
          const window = windows[index];
          if (window) result.profile = layerProfile(network, entry.graph, nodeTimes(events, window));
        }
      }
      return { type: 'result', id: request.id, results, ep: entry.ep, weights: entry.weights, session: timings, precision: entry.precision };
    } finally {
      // A profiled session has ended its profiling: it is never reused.
      if (variant.profile) await entry.session.release();
    }
  }

  /** The class maps of the input's most probable classes: CAM from the run's feature map when the head allows, else occlusion. */
  private async classMaps(session: CountedRuns, input: PreparedInput, output: ort.InferenceSession.OnnxValueMapType, count: number, id: number): Promise<CamMaps> {
    const logits = output[OUTPUT_NAME]!.data as Float32Array;
    const classes = topK(Array.from(logits), Math.max(1, count));
    // A clip's maps are of the frame its result shows.
    const frames = input.dims.length === 5 ? input.dims[2]! : undefined;
    const frame = shownFrame(frames ?? 1);
    const cam = session.entry.cam;
    if (cam) {
      const features = output[cam.output]!.data as Float32Array;
      const { channels, depth, height, width } = cam.head;
      const size = height * width;
      const maps = classes.map((index) => ({ index, values: frameOfVolume(classActivationMap(features, channels, depth * size, cam.weight, index), depth, size, frames ?? 1, frame) }));
      return { method: 'cam', height, width, maps, ...(frames ? { clip: { frame, frames, depth } } : {}) };
    }
    const [height, width] = input.dims.slice(-2) as [number, number];
    const { rows, columns, patches } = occlusionPatches(height, width);
    // The masked inputs go through the model OCCLUSION_BATCH at a time (one at a time for an exported model of a fixed batch).
    const size = input.data.length;
    const batch = Math.min(OCCLUSION_BATCH, session.entry.maxBatch ?? OCCLUSION_BATCH);
    const occluded: Float32Array[] = [];
    for (let start = 0; start < patches.length; start += batch) {
      this.checkCancelled(id);
      const group = patches.slice(start, start + batch);
      const data = new Float32Array(size * group.length);
      group.forEach((patch, k) => data.set(occludedInput(input.data, input.dims, patch), k * size));
      const masked = (await session.run(input.label, data, [group.length, ...input.dims.slice(1)]))[OUTPUT_NAME]!.data as Float32Array;
      const perInput = masked.length / group.length;
      group.forEach((_, k) => occluded.push(masked.slice(k * perInput, (k + 1) * perInput)));
    }
    const maps = occlusionMaps(logits, occluded, rows, columns, classes);
    return frames ? { ...maps, clip: { frame, frames } } : maps;
  }

  /** One model run over the batch's usable inputs; the time of the run is shared among them. */
  private async runBatch(entry: CachedSession, prepared: Prepared[], expected: number[], includeSeen: boolean): Promise<InputResult[]> {
    for (const p of prepared) if ('fatal' in p) throw p.fatal;
    const ready = prepared.filter((p): p is PreparedInput => 'data' in p);
    const size = expected.reduce((a, b) => a * b, 1);
    let logits: Float32Array = new Float32Array(0);
    let runMs = 0;
    if (ready.length > 0) {
      const data = ready.length === 1 ? ready[0]!.data : this.batchData(ready, size);
      const start = performance.now();
      try {
        const output = await entry.session.run({ [INPUT_NAME]: new ort.Tensor('float32', data, [ready.length, ...expected]) });
        logits = output[OUTPUT_NAME]!.data as Float32Array;
      } catch (error) {
        const what = ready.length === 1 ? ready[0]!.label : `a batch of ${ready.length} from ${ready[0]!.label}`;
        throw new EngineError('internal', `onnxruntime failed on ${what}: ${(error as Error).message}`);
      }
      runMs = (performance.now() - start) / ready.length;
      this.cache.collectProfile(entry);
    }
    const classes = logits.length / Math.max(1, ready.length);
    let index = 0;
    return prepared.map((p) => {
      if (!('data' in p)) return p as InputResult;
      const i = index++;
      return {
        label: p.label,
        logits: logits.slice(i * classes, (i + 1) * classes),
        timings: { decodeMs: p.decodeMs, preprocessMs: p.preprocessMs, runMs },
        ...(p.original ? { original: p.original } : {}),
        ...(p.clip ? { clip: p.clip } : {}),
        ...(includeSeen && p.seen ? { seen: p.seen } : {}),
      };
    });
  }

  /** The batch's tensors one after another, in a buffer kept between runs (a fresh one costs page faults). */
  private batchData(ready: PreparedInput[], size: number): Float32Array {
    const length = ready.length * size;
    if (this.batchBuffer.length < length) this.batchBuffer = new Float32Array(length);
    const data = this.batchBuffer.subarray(0, length);
    ready.forEach((p, i) => data.set(p.data, i * size));
    return data;
  }
}

/** A session's runs, counted so that a profiled run can be found among the profile's runs. */
class CountedRuns {
  count = 0;

  constructor(readonly entry: CachedSession) {}

  async run(label: string, data: Float32Array, dims: readonly number[]): Promise<ort.InferenceSession.OnnxValueMapType> {
    this.count++;
    try {
      return await this.entry.session.run({ [INPUT_NAME]: new ort.Tensor('float32', data, dims) });
    } catch (error) {
      throw new EngineError('internal', `onnxruntime failed on ${label}: ${(error as Error).message}`);
    }
  }
}

if (typeof process.send === 'function' && process.env.RESNET_STUDIO_WORKER === '1') {
  const worker = new Worker((response) => process.send!(response));
  process.on('message', (request: WorkerRequest) => worker.receive(request));
  process.on('disconnect', () => {
    void worker.dispose().finally(() => process.exit(0));
  });
  // What an image or clip needs is loaded while the worker waits (or reads weights): sharp, and the
  // resize kernels compiled. Nothing is lost when a request comes first; it needs them too.
  setImmediate(() => void loadPreprocess().then(() => simdKernels()));
}
