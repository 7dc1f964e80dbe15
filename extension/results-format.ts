// Pure conversions for the results view: worker results → what the webview shows, a run → JSON for
// the clipboard, a folder evaluation → CSV. No vscode import, so unit tests run them directly.
import { labelOf, softmax, topK } from '../engine/runtime/classes';
import { reportFigures, type EvalReport, type Sample } from '../engine/runtime/dataset';
import type { EpReport } from '../engine/runtime/providers';
import type { InferResult, InputResult } from '../contracts/worker';
import type { ClassScore } from '../contracts/results';

export function topScores(logits: ArrayLike<number>, labels: readonly string[] | undefined, k: number): ClassScore[] {
  const probabilities = softmax(logits);
  return topK(probabilities, k).map((index) => ({ index, label: labelOf(labels, index), probability: probabilities[index]! }));
}

/** Why the EP that ran is not the GPU one that was asked for, or undefined when nothing fell back. */
export function epFallbackNote(ep: EpReport): string | undefined {
  const failed = ep.attempts.filter((a) => !a.ok);
  if (failed.length === 0 && !ep.ran.includes('+')) return undefined;
  const parts = failed.map((a) => `${a.ep} could not start: ${a.error ?? 'failed'}`);
  if (ep.ran.includes('+')) parts.push(`nodes were split between EPs (${ep.ran}): some operators have no ${ep.selected} kernel`);
  return parts.join('; ');
}

/** One image's result as JSON for the clipboard: the CLI's `infer --json` shape for one image. */
export function imageRunJson(input: {
  network: string;
  modelFile: string;
  weights: string;
  result: InferResult;
  output: InputResult;
  labels: readonly string[] | undefined;
  topK: number;
}): string {
  const { output, result } = input;
  return JSON.stringify(
    {
      network: input.network,
      model: input.modelFile,
      weights: { source: input.weights, random: result.weights.random, summary: result.weights.summary },
      ep: result.ep,
      session: result.session,
      image: output.label,
      ...(output.logits
        ? {
            top: topScores(output.logits, input.labels, input.topK).map((s) => ({ index: s.index, label: input.labels?.[s.index] ?? null, probability: s.probability })),
            logits: Array.from(output.logits),
          }
        : { error: output.error }),
      timings: output.timings,
    },
    null,
    2,
  );
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per image: the file, its true and predicted class, the confidence, and whether it was right. */
export function evaluationCsv(samples: readonly Sample[], outputs: readonly InputResult[], names: (i: number) => string): string {
  const rows: (string | number)[][] = [['image', 'target', 'target_name', 'predicted', 'predicted_name', 'confidence', 'correct', 'error']];
  outputs.forEach((output, i) => {
    const sample = samples[i]!;
    if (!output.logits) {
      rows.push([sample.path, sample.target, names(sample.target), '', '', '', '', output.error ?? 'failed']);
      return;
    }
    const probabilities = softmax(output.logits);
    const predicted = topK(probabilities, 1)[0]!;
    rows.push([sample.path, sample.target, names(sample.target), predicted, names(predicted), probabilities[predicted]!.toFixed(6), predicted === sample.target ? 1 : 0, '']);
  });
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** A folder evaluation as JSON for the clipboard: the figures of `resnet-studio eval --json`. */
export function evaluationJson(input: { network: string; folder: string; report: EvalReport; ep: EpReport | undefined }): string {
  return JSON.stringify({ network: input.network, folder: input.folder, ep: input.ep, ...reportFigures(input.report) }, null, 2);
}
