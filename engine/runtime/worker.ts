// The inference worker: a child process (fork) that owns onnxruntime and sharp, so a native crash
// takes down only this process. It serves InferRequests one at a time; a cancel request stops the
// current one between inputs.
import * as ort from 'onnxruntime-node';
import type { Network } from '../../language/core/model';
import { INPUT_NAME, OUTPUT_NAME } from '../onnx/build';
import { EngineError } from './engine-error';
import { networkPreprocess } from './network-preprocess';
import type { InferRequest, InputResult, InputSpec, SeenImage, WorkerRequest, WorkerResponse } from '../../contracts/worker';
import { SessionCache } from './session-cache';

interface PreparedInput {
  label: string;
  data: Float32Array;
  dims: number[];
  decodeMs: number;
  preprocessMs: number;
  seen?: SeenImage;
  original?: { width: number; height: number };
}

async function prepare(input: InputSpec, network: Network, expected: number[]): Promise<PreparedInput> {
  const shape = (dims: readonly number[]) => dims.join('×');
  if (input.kind === 'tensor') {
    if (input.dims.slice(1).some((d, i) => d !== expected[i])) {
      throw new EngineError('input', `${input.label}: tensor is ${shape(input.dims)}, the network expects 1×${shape(expected)}`);
    }
    return { label: input.label, data: input.data, dims: input.dims, decodeMs: 0, preprocessMs: 0 };
  }
  const spec = networkPreprocess(network);
  let prepared;
  try {
    // Loaded on first use: sharp is only needed for image inputs. A C×T×H×W input reads the path as a clip.
    if (expected.length === 4) {
      const { preprocessClip } = await import('./clip');
      prepared = await preprocessClip(input.path, spec, expected);
    } else {
      const { preprocessImageFile } = await import('./preprocess');
      prepared = await preprocessImageFile(input.path, spec, expected);
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
      `${input.path}: the image gives a ${shape(prepared.dims.slice(1))} tensor but the network expects ${shape(expected)}; ${hint}`,
    );
  }
  return { label: input.path, data: prepared.data, dims: prepared.dims, ...prepared.timings, seen: prepared.seen, original: prepared.original };
}

export class Worker {
  private readonly cache = new SessionCache();
  private readonly cancelled = new Set<number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly send: (response: WorkerResponse) => void) {}

  receive(request: WorkerRequest): void {
    if (request.type === 'cancel') {
      this.cancelled.add(request.id);
      return;
    }
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
    const { entry, timings } = await this.cache.get(network, request.weights, request.ep, request.threads);
    const results: InputResult[] = [];
    for (const input of request.inputs) {
      this.checkCancelled(request.id);
      let prepared: PreparedInput;
      try {
        prepared = await prepare(input, network, expected);
      } catch (error) {
        if (!(error instanceof EngineError && error.kind === 'input')) throw error;
        const label = input.kind === 'image' ? input.path : input.label;
        results.push({ label, error: error.message, timings: { decodeMs: 0, preprocessMs: 0, runMs: 0 } });
        continue;
      }
      const start = performance.now();
      let output;
      try {
        output = await entry.session.run({ [INPUT_NAME]: new ort.Tensor('float32', prepared.data, prepared.dims) });
      } catch (error) {
        throw new EngineError('internal', `onnxruntime failed on ${prepared.label}: ${(error as Error).message}`);
      }
      const runMs = performance.now() - start;
      this.cache.collectProfile(entry);
      const logits = output[OUTPUT_NAME]!.data as Float32Array;
      results.push({
        label: prepared.label,
        logits: new Float32Array(logits),
        timings: { decodeMs: prepared.decodeMs, preprocessMs: prepared.preprocessMs, runMs },
        ...(prepared.original ? { original: prepared.original } : {}),
        ...(request.includeSeenImage && prepared.seen ? { seen: prepared.seen } : {}),
      });
    }
    return { type: 'result', id: request.id, results, ep: entry.ep, weights: entry.weights, session: timings };
  }
}

if (typeof process.send === 'function' && process.env.RESNET_STUDIO_WORKER === '1') {
  const worker = new Worker((response) => process.send!(response));
  process.on('message', (request: WorkerRequest) => worker.receive(request));
  process.on('disconnect', () => {
    void worker.dispose().finally(() => process.exit(0));
  });
}
