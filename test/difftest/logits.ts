// When our exported logits agree with torch's: within a float32 tolerance of torch's float32 output,
// or, where the network amplifies float32 rounding past that tolerance, judged against the same module
// run in float64 (test/difftest/README.md, "What is compared").

/** Logits may differ by this much relative to the largest |logit|. */
export const TOLERANCE = 1e-4;

export type LogitVerdict =
  | { verdict: 'agree' }
  /** Beyond the tolerance of torch's float32 output, accepted against float64: `note` says by how much. */
  | { verdict: 'agree in float64'; note: string }
  | { verdict: 'differ'; message: string };

/**
 * max |a − b| and max |b|. Equal values agree, the infinities and NaNs a max-pool over padding
 * alone gives included (RS0510 warns of them); a NaN on one side only is infinitely far.
 */
function deviation(actual: ArrayLike<number>, reference: ArrayLike<number>): { worst: number; largest: number } {
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = actual[i]!;
    const b = reference[i]!;
    const d = a === b || (Number.isNaN(a) && Number.isNaN(b)) ? 0 : Math.abs(a - b);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
    if (Number.isFinite(b)) largest = Math.max(largest, Math.abs(b));
  }
  return { worst, largest };
}

const relative = (d: { worst: number; largest: number }) => (d.worst / d.largest).toPrecision(3);

/**
 * Our logits against torch's float32 ones; `float64` runs the same module in float64 (same weights,
 * same input) and is called only when float32 alone does not settle it. The rule there: ours must be
 * within TOLERANCE × max |logit| of float64, or no farther from float64 than torch's own float32 is.
 */
export async function judgeLogits(ours: ArrayLike<number>, torch32: ArrayLike<number>, float64: () => Promise<ArrayLike<number>>): Promise<LogitVerdict> {
  const first = deviation(ours, torch32);
  if (first.worst <= TOLERANCE * first.largest) return { verdict: 'agree' };
  const exact = await float64();
  const mine = deviation(ours, exact);
  const theirs = deviation(torch32, exact);
  const measured =
    `max |ONNX − torch| = ${first.worst.toPrecision(3)}, ${relative(first)} of max |logit| ${first.largest.toPrecision(3)}; ` +
    `against torch in float64 ONNX is ${relative(mine)} off, torch's float32 ${relative(theirs)}`;
  // Where torch's float32 is NaN or infinite and float64 is not, it measures no rounding: the tolerance alone holds.
  const bound = Math.max(TOLERANCE * mine.largest, Number.isFinite(theirs.worst) ? theirs.worst : 0);
  if (mine.worst <= bound) return { verdict: 'agree in float64', note: `float32 conditioning: ${measured}` };
  return { verdict: 'differ', message: `logits differ: ${measured}` };
}
