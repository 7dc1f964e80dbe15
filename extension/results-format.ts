// Pure conversions for in-editor inference besides the result JSON (engine/runtime/inference-result.ts):
// the log's note on an EP fallback, a folder evaluation as CSV. No vscode import, so unit tests run
// them directly.
import { softmax, topK } from '../engine/runtime/classes';
import type { Sample } from '../engine/runtime/dataset';
import type { EpReport } from '../engine/runtime/providers';
import type { InputResult } from '../contracts/worker';

/** Why the EP that ran is not the GPU one that was asked for, or undefined when nothing fell back. */
export function epFallbackNote(ep: EpReport): string | undefined {
  const failed = ep.attempts.filter((a) => !a.ok);
  if (failed.length === 0 && !ep.ran.includes('+')) return undefined;
  const parts = failed.map((a) => `${a.ep} could not start: ${a.error ?? 'failed'}`);
  if (ep.ran.includes('+')) parts.push(`nodes were split between EPs (${ep.ran}): some operators have no ${ep.selected} kernel`);
  return parts.join('; ');
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
