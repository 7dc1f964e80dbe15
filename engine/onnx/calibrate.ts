// The range [min, max] an activation tensor is quantized over, from its values on the calibration
// images, by onnxruntime's three calibrators (onnxruntime/python/tools/quantization/calibrate.py):
// - minmax: the smallest and largest value seen (MinMaxCalibrater).
// - percentile: ±the 99.999th percentile of |x| over a histogram of 2048 bins that widens as larger
//   values come (HistogramCalibrater on absolute values, symmetric), clipped to the values seen.
// - entropy: the threshold whose 128-level quantization of the histogram of x (2048 bins over
//   [−max|x|, max|x|]) has the least KL divergence from it (EntropyCalibrater, TensorRT's method),
//   clipped to the values seen. onnxruntime rounds the expanded candidate distribution to integers
//   (`q` is an int64 array); here it stays real, as in TensorRT's description of the method.
export const CALIBRATION_METHODS = ['minmax', 'percentile', 'entropy'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

export interface TensorRange {
  min: number;
  max: number;
}

export interface RangeCollector {
  add(values: Float32Array): void;
  range(): TensorRange;
}

const HISTOGRAM_BINS = 2048;
const QUANTIZED_BINS = 128;
const PERCENTILE = 99.999;

function extremes(values: Float32Array): TensorRange {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length ? { min, max } : { min: 0, max: 0 };
}

class MinMax implements RangeCollector {
  private seen: TensorRange = { min: Infinity, max: -Infinity };
  add(values: Float32Array): void {
    const { min, max } = extremes(values);
    this.seen = { min: Math.min(this.seen.min, min), max: Math.max(this.seen.max, max) };
  }
  range(): TensorRange {
    return Number.isFinite(this.seen.min) ? this.seen : { min: 0, max: 0 };
  }
}

/** numpy.histogram's bin of `x` over `count` equal bins of [low, high] (the last bin is closed). */
function addToHistogram(hist: Float64Array, values: ArrayLike<number>, low: number, high: number, abs: boolean): void {
  const count = hist.length;
  const width = (high - low) / count;
  if (!(width > 0)) {
    hist[Math.floor(count / 2)]! += values.length;
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const x = abs ? Math.abs(values[i]!) : values[i]!;
    if (x < low || x > high) continue;
    hist[Math.min(count - 1, Math.floor((x - low) / width))]!++;
  }
}

/**
 * onnxruntime's HistogramCollector: 2048 bins over [0, top] of |x| (one-sided, collect_absolute_value)
 * or over [−top, top] of x (symmetric, collect_value), widened by whole bins of the old width when a
 * larger |x| comes. The two round the number of new bins differently; both are kept as onnxruntime has them.
 */
class GrowingHistogram {
  bins = new Float64Array(0);
  top = 0;
  readonly seen = new MinMax();
  constructor(private readonly symmetric: boolean) {}
  add(values: Float32Array): void {
    this.seen.add(values);
    const { min, max } = extremes(values);
    const amax = Math.max(Math.abs(min), Math.abs(max));
    if (this.bins.length === 0) {
      this.top = amax;
      this.bins = new Float64Array(HISTOGRAM_BINS);
    } else if (amax > this.top) {
      this.widen(amax);
    }
    addToHistogram(this.bins, values, this.symmetric ? -this.top : 0, this.top, !this.symmetric);
  }
  private widen(amax: number): void {
    const sides = this.symmetric ? 2 : 1;
    const width = (sides * this.top) / this.bins.length;
    if (!(width > 0)) {
      this.top = amax;
      return;
    }
    const extra = this.symmetric ? Math.floor((amax - this.top) / width) + 1 : Math.ceil((amax - this.top) / width);
    const wider = new Float64Array(this.bins.length + sides * extra);
    wider.set(this.bins, this.symmetric ? extra : 0);
    this.bins = wider;
    this.top += extra * width;
  }
}

/** ±the 99.999th percentile of |x|, clipped to the values seen. */
class Percentile implements RangeCollector {
  private hist = new GrowingHistogram(false);
  add(values: Float32Array): void {
    this.hist.add(values);
  }
  range(): TensorRange {
    const { min, max } = this.hist.seen.range();
    const { bins, top } = this.hist;
    const total = bins.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    let index = bins.length;
    for (let i = 0; i < bins.length; i++) {
      cumulative += bins[i]!;
      if (cumulative / total >= PERCENTILE / 100) {
        index = i;
        break;
      }
    }
    const threshold = index * (top / bins.length);
    return { min: Math.max(min, -threshold), max: Math.min(max, threshold) };
  }
}

/** The least-divergence window of the symmetric histogram, clipped to the values seen. */
class Entropy implements RangeCollector {
  private hist = new GrowingHistogram(true);
  add(values: Float32Array): void {
    this.hist.add(values);
  }
  range(): TensorRange {
    const { min, max } = this.hist.seen.range();
    const [low, high] = entropyThreshold(this.hist.bins, this.hist.top);
    return { min: Math.max(min, low), max: Math.min(max, high) };
  }
}

/** onnxruntime's smooth_distribution: ε taken from the non-zero bins and given to the zero ones; undefined when all are zero. */
function smooth(p: Float64Array): Float64Array | undefined {
  const eps = 0.0001;
  const zeros = p.reduce((n, x) => n + (x === 0 ? 1 : 0), 0);
  const nonZeros = p.length - zeros;
  if (nonZeros === 0) return undefined;
  const eps1 = (eps * zeros) / nonZeros;
  const smoothed = p.map((x) => (x === 0 ? eps : x - eps1));
  return smoothed.some((x) => x <= 0) ? undefined : smoothed;
}

/** scipy.stats.entropy(p, q): both normalised, Σ p log(p/q). */
function klDivergence(p: Float64Array, q: Float64Array): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    if (pi > 0) sum += pi * Math.log(pi / (q[i]! / sq));
  }
  return sum;
}

/** The [low, high] of least KL divergence among the symmetric windows around the zero bin. */
export function entropyThreshold(hist: Float64Array, threshold: number): [number, number] {
  const bins = hist.length;
  if (bins === 0 || threshold === 0) return [0, 0];
  const edge = (i: number) => -threshold + (2 * threshold * i) / bins;
  const zero = Math.floor(bins / 2);
  const halfQuantized = Math.floor(QUANTIZED_BINS / 2);
  let best = Infinity;
  let bestRange: [number, number] = [edge(0), edge(bins)];
  const prefix = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) prefix[i + 1] = prefix[i]! + hist[i]!;
  for (let i = halfQuantized; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(bins, zero + i + 1);
    const sliced = hist.subarray(start, end);
    const p = Float64Array.from(sliced);
    p[0]! += prefix[start]!;
    p[p.length - 1]! += prefix[bins]! - prefix[end]!;
    const merged = Math.floor(sliced.length / QUANTIZED_BINS);
    const q = new Float64Array(p.length);
    for (let k = 0; k < QUANTIZED_BINS; k++) {
      // The last quantized bin also takes the bins beyond QUANTIZED_BINS·merged, but (as in
      // onnxruntime) spreads its sum over its first `merged` bins only.
      const from = k * merged;
      const to = k === QUANTIZED_BINS - 1 ? sliced.length : from + merged;
      let sum = 0;
      for (let j = from; j < to; j++) sum += sliced[j]!;
      let norm = 0;
      for (let j = from; j < from + merged; j++) if (p[j] !== 0) norm++;
      if (norm !== 0) q.fill(sum / norm, from, from + merged);
    }
    const ps = smooth(p);
    const qs = smooth(q);
    const divergence = ps && qs ? klDivergence(ps, qs) : Infinity;
    if (divergence < best) {
      best = divergence;
      bestRange = [edge(start), edge(end)];
    }
  }
  return bestRange;
}

export function rangeCollector(method: CalibrationMethod): RangeCollector {
  switch (method) {
    case 'minmax':
      return new MinMax();
    case 'percentile':
      return new Percentile();
    case 'entropy':
      return new Entropy();
  }
}
