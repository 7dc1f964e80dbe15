import type { ErrorKind, WeightsSummary } from '../../contracts/worker';

/** A failure the worker reports to its client as an InferError, not as a crash. */
export class EngineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly weights?: WeightsSummary,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
