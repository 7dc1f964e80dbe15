// Messages between the inference client (CLI, extension host) and the worker process.
// They cross the process boundary with structured clone (fork's 'advanced' serialization),
// so typed arrays travel as they are.
import type { Network } from '../language/core/model';
import type { WeightProblem } from '../engine/onnx/state-dict';
import type { EpChoice, EpReport } from '../engine/runtime/providers';

export type WeightsRequest = { kind: 'file'; path: string } | { kind: 'random'; seed: number };

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
}

export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export type WorkerRequest = InferRequest | CancelRequest;

export interface WeightsSummary {
  random: boolean;
  summary: string;
  details: string;
  problems: WeightProblem[];
}

export interface InputTimings {
  decodeMs: number;
  preprocessMs: number;
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
  /** For image inputs: the file's own size. */
  original?: { width: number; height: number };
}

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
}

export interface InferResult {
  type: 'result';
  id: number;
  results: InputResult[];
  ep: EpReport;
  weights: WeightsSummary;
  session: SessionTimings;
}

export type ErrorKind = 'weights' | 'compile' | 'ep' | 'input' | 'cancelled' | 'crash' | 'internal';

export interface InferError {
  type: 'error';
  id: number;
  kind: ErrorKind;
  message: string;
  /** Present when the weights could be read but do not fit: the problems per key. */
  weights?: WeightsSummary;
}

export type WorkerResponse = InferResult | InferError;
