// Class scores → what a person reads: probabilities, the top k, the class names of a labels file.
// Pure, shared by the CLI and the extension.

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Indices of the k largest values, largest first; ties keep the lower index first. */
export function topK(values: readonly number[], k: number): number[] {
  return values
    .map((_, i) => i)
    .sort((a, b) => values[b]! - values[a]! || a - b)
    .slice(0, k);
}

/** A labels file: one class name a line, in class-index order; trailing blank lines are ignored. */
export function parseLabels(text: string): string[] {
  const labels = text.split(/\r?\n/).map((l) => l.trim());
  while (labels.length > 0 && labels[labels.length - 1] === '') labels.pop();
  return labels;
}
