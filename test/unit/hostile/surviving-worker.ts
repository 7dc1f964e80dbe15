// One inference worker (the TypeScript source) for a whole catalogue: every case may be refused, but
// only with a clear InferenceError, and the same worker process must still be there afterwards.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InferenceClient, InferenceError } from '../../../engine/runtime/client';
import type { InferResult } from '../../../contracts/worker';
import { repoRoot } from '../examples';

type Request = Parameters<InferenceClient['infer']>[0];

export class SurvivingWorker {
  private readonly client = new InferenceClient({ workerPath: join(repoRoot, 'engine/runtime/worker.ts'), execArgv: ['--import', 'tsx'] });
  private pid: number | undefined;

  /** The result of a request that must succeed. */
  async infer(request: Request): Promise<InferResult> {
    const result = await this.client.infer(request);
    this.assertSurvived();
    return result;
  }

  /** `describe(result)`, or the refusal as `<kind> error: <message>`. */
  async outcome(request: Request, describe: (result: InferResult) => string): Promise<string> {
    const text = await this.client.infer(request).then(describe, (error: unknown) => {
      assert.ok(error instanceof InferenceError, String(error));
      assert.notEqual(error.kind, 'crash', error.message);
      return `${error.kind} error: ${error.message}`;
    });
    this.assertSurvived();
    return text;
  }

  dispose(): Promise<void> {
    return this.client.dispose();
  }

  private assertSurvived(): void {
    this.pid ??= this.client.workerPid;
    assert.equal(this.client.workerPid, this.pid, 'the worker survived');
  }
}
