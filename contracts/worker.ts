// Messages between the inference client (CLI, extension host) and the worker process.
// They cross the process boundary with structured clone (fork's 'advanced' serialization),
// so typed arrays travel as they are.
import type { Network } from '../language/core/model';
import type { WeightProblem } from '../engine/onnx/state-dict';
import type { EpChoice, EpReport } from '../engine/runtime/providers';
import type { CamMaps } from '../engine/runtime/cam';
import type { LayerProfile } from '../engine/runtime/profile';

/** A safetensors file, seeded random weights, or an exported ONNX model (`--model`) that holds them compiled. */
export type WeightsRequest = { kind: 'file'; path: string } | { kind: 'random'; seed: number } | { kind: 'model'; path: string };

/** The arithmetic a model runs in: the compiled network, or an exported model's (`export --fp16 | --quantize int8`). */
export type Precision = 'fp32' | 'fp16' | 'int8';

/** An input: an image file to decode and preprocess, or a ready [1, C, H, W] (or [1, C, T, H, W]) tensor. */
export type InputSpec =
  | { kind: 'image'; path: string }
  | { kind: 'tensor'; label: string; data: Float32Array; dims: number[] };

export interface InferRequest {
  type: 'infer';
  id: number;
  network: Network;
  weights: WeightsRequest;
  ep: EpChoice;
  inputs: InputSpec[];
  /** Send back each image as the network saw it (after grayscale, resize and crop), for display. */
  includeSeenImage?: boolean;
  /** onnxruntime intra-op threads (0 or absent: onnxruntime's default); part of the session's identity. */
  threads?: number;
  /** How many compiled sessions the worker keeps (absent: 2; 0: none kept after the request). */
  sessionCacheSize?: number;
  /** Class maps (CAM, else occlusion unless `occlusion` is false) for each input's `classes` most probable classes. */
  cam?: { classes: number; occlusion?: boolean };
  /** Time each layer: a session of its own, profiled, run once to warm up and once measured per input. */
  profile?: boolean;
  /** Inputs per model run (absent: 1); a batch gives the same logits as its inputs one by one. */
  batch?: number;
  /** Send each batch's results as an InferProgress as soon as it has run; the final result then holds none. */
  progress?: boolean;
}

export interface CancelRequest {
  type: 'cancel';
  id: number;
}

/**
 * An InferRequest as it crosses to the worker. A network goes whole only the first time, under a key
 * the client gives each Network object (one object is never changed after analysis); later requests
 * name it by the key alone, which spares serializing, parsing and hashing it on every warm request.
 * Client and worker each keep the last NETWORKS_KEPT keys with keepNetwork, in message order, so both
 * always agree on which networks the worker still holds.
 */
export type InferMessage = Omit<InferRequest, 'network'> & { networkKey: number; network?: Network };

export type WorkerRequest = InferMessage | CancelRequest;

export const NETWORKS_KEPT = 4;

/** Marks `key` as the most recently used and forgets the oldest beyond NETWORKS_KEPT. */
export function keepNetwork<T>(kept: Map<number, T>, key: number, value: T): void {
  kept.delete(key);
  kept.set(key, value);
  for (const oldest of kept.keys()) {
    if (kept.size <= NETWORKS_KEPT) break;
    kept.delete(oldest);
  }
}

export interface WeightsSummary {
  random: boolean;
  summary: string;
  details: string;
  problems: WeightProblem[];
}

export interface InputTimings {
  decodeMs: number;
  preprocessMs: number;
  /** The model run of the input's batch, divided by the inputs in it. */
  runMs: number;
}

/** One input's outcome: its logits, or why it could not be read (the other inputs still run). */
export interface InputResult {
  label: string;
  logits?: Float32Array;
  error?: string;
  timings: InputTimings;
  /** With includeSeenImage, for image inputs: the uint8 pixels (HWC) the network saw. */
  seen?: SeenImage;
  /** For image inputs: the file's own size (a clip's: its first frame's). */
  original?: { width: number; height: number };
  /** For a clip: where its frames came from and which were taken. */
  clip?: ClipInfo;
  /** With `cam`: the maps of the most probable classes, most probable first. */
  cam?: CamMaps;
  /** With `profile`: the measured run's time per layer. */
  profile?: LayerProfile;
}

/** How a clip input (for a C×T×H×W network) was read. */
export interface ClipInfo {
  /** A folder of frames, an animated GIF or WebP, or a video ffmpeg decoded. */
  source: 'folder' | 'animation' | 'video';
  /** Frames in the clip. */
  frames: number;
  /** The frames taken, zero-based, T of them (torch.linspace(0, frames − 1, T).long()). */
  sampled: number[];
}

/** The frame of a clip of `frames` that its result shows (its `seen` image, its class map): the middle one, zero-based. */
export const shownFrame = (frames: number): number => Math.floor(frames / 2);

export interface SeenImage {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

export interface SessionTimings {
  /** True when the session came from the cache: no weights were read and nothing was compiled. */
  cached: boolean;
  weightsMs: number;
  compileMs: number;
  sessionMs: number;
  /**
   * The disk cache of optimized models: 'hit' when the session was created from a stored model (the
   * weights' time is then checking the file's digest); 'stored' when this session's optimized model is saved there after this response.
   */
  modelCache?: 'hit' | 'stored';
}

export interface InferResult {
  type: 'result';
  id: number;
  results: InputResult[];
  ep: EpReport;
  weights: WeightsSummary;
  session: SessionTimings;
  precision: Precision;
}

/** With InferRequest.progress: the results of one batch, in input order. */
export interface InferProgress {
  type: 'progress';
  id: number;
  results: InputResult[];
  session: SessionTimings;
}

/** 'model': an exported model (`--model`) that cannot be read or does not fit the network. */
export type ErrorKind = 'weights' | 'model' | 'compile' | 'ep' | 'input' | 'cancelled' | 'crash' | 'internal';


export interface InferError {
  type: 'error';
  id: number;
  kind: ErrorKind;
  message: string;
  /** Present when the weights could be read but do not fit: the problems per key. */
  weights?: WeightsSummary;
}

export type WorkerResponse = InferResult | InferProgress | InferError;
