// An exported model (fp16, int8) against the fp32 network it came from, on the same labelled folder:
// how often both give the same top-1 class, the accuracy it gained or lost, and the ratio of their
// model-run times. `resnet-studio eval --model M.onnx --compare` reports it in its result.
import { topK } from './classes';
import type { BatchedRun } from './dataset';
import type { Comparison } from '../../contracts/inference-result';
import type { InputResult } from '../../contracts/worker';

const top1 = (output: InputResult) => (output.logits ? topK(Array.from(output.logits), 1)[0] : undefined);

function meanRunMs(outputs: readonly InputResult[]): number | null {
  const ran = outputs.filter((o) => o.logits);
  return ran.length ? ran.reduce((sum, o) => sum + o.timings.runMs, 0) / ran.length : null;
}

function accuracy(outputs: readonly InputResult[], targets: readonly number[]): number | null {
  let total = 0;
  let correct = 0;
  outputs.forEach((o, i) => {
    const predicted = top1(o);
    if (predicted === undefined) return;
    total++;
    if (predicted === targets[i]) correct++;
  });
  return total ? correct / total : null;
}

/** `run` compared with `reference` over the same samples (in the same order). */
export function compareRuns(targets: readonly number[], run: BatchedRun, reference: BatchedRun, referenceWeights: string): Comparison {
  let both = 0;
  let same = 0;
  run.outputs.forEach((o, i) => {
    const [a, b] = [top1(o), top1(reference.outputs[i]!)];
    if (a === undefined || b === undefined) return;
    both++;
    if (a === b) same++;
  });
  const [ms, referenceMs] = [meanRunMs(run.outputs), meanRunMs(reference.outputs)];
  const [acc, referenceAcc] = [accuracy(run.outputs, targets), accuracy(reference.outputs, targets)];
  return {
    reference: { precision: reference.first.precision, weights: referenceWeights, accuracy: referenceAcc, runMsPerImage: referenceMs },
    runMsPerImage: ms,
    agreement: both ? same / both : null,
    accuracyDelta: acc !== null && referenceAcc !== null ? acc - referenceAcc : null,
    latencyRatio: ms !== null && referenceMs ? ms / referenceMs : null,
  };
}
