// The extension's handle on the inference worker: started on first use, reused, shut down after a
// quiet spell, and restarted after a crash (the client forks a fresh worker on the next request).
import * as vscode from 'vscode';
import { InferenceClient, InferenceError } from '../engine/runtime/client';
import type { InferRequest, InferResult } from '../contracts/worker';
import type { OnResults } from '../engine/runtime/dataset';

export type EngineRequest = Omit<InferRequest, 'type' | 'id' | 'progress'>;

export class InferenceEngine implements vscode.Disposable {
  private client: InferenceClient | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private busy = 0;

  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly idleSeconds: () => number,
  ) {}

  async infer(request: EngineRequest, signal?: AbortSignal, onResults?: OnResults): Promise<InferResult> {
    this.clearIdleTimer();
    const client = (this.client ??= this.startClient());
    this.busy++;
    const pidBefore = client.workerPid;
    try {
      const result = await client.infer(request, signal, onResults);
      if (pidBefore === undefined) this.log.info(`inference worker started (pid ${client.workerPid})`);
      return result;
    } catch (error) {
      if (error instanceof InferenceError && error.kind === 'crash') {
        this.log.error(error.message);
        void vscode.window.showErrorMessage(
          `ResNet Studio: the inference worker stopped unexpectedly; the next run starts a new one. ${error.headline}`,
        );
      }
      throw error;
    } finally {
      this.busy--;
      if (this.busy === 0) this.armIdleTimer();
    }
  }

  /**
   * Starts the worker and builds the session `request` will run on (the request without inputs),
   * while the user is still choosing them. A failure is left for the real run to report.
   */
  prepare(request: EngineRequest): void {
    this.infer({ ...request, inputs: [] }).then(
      ({ session: s }) => {
        if (!s.cached) this.log.info(`session built ahead of the run: weights ${s.weightsMs.toFixed(1)} ms, compile ${s.compileMs.toFixed(1)} ms, session ${s.sessionMs.toFixed(1)} ms`);
      },
      (error: unknown) => this.log.debug(`building the session ahead of the run: ${(error as Error).message}`),
    );
  }

  /** The running worker's process id, if any. */
  get workerPid(): number | undefined {
    return this.client?.workerPid;
  }

  /** Stops the worker now; the next request starts a fresh one. */
  async stop(reason: string): Promise<void> {
    this.clearIdleTimer();
    const client = this.client;
    this.client = undefined;
    if (client?.workerPid !== undefined) this.log.info(`inference worker stopped (${reason})`);
    await client?.dispose();
  }

  dispose(): void {
    void this.stop('extension deactivated');
  }

  private startClient(): InferenceClient {
    // The environment is read at fork time, so variables set after activation (e.g. a Vulkan ICD
    // for WebGPU) reach a worker started after a stop.
    return new InferenceClient({ workerPath: this.workerPath, env: process.env });
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => void this.stop(`idle for ${this.idleSeconds()} s`), this.idleSeconds() * 1000);
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
