// Shared by the benchmarks that compare logits (startup.mjs, gpu.mjs); free of esbuild, so gpu.sh can bundle it.

/** The largest |actual − expected| over the largest |expected|. */
export function relativeError(actual, expected) {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
  }
  return maxDiff / maxAbs;
}
