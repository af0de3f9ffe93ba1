/**
 * Log-bucketed histogram (≈1 % relative error) for latencies in microseconds, and the summary
 * figures the reports need. Pure data + functions so histograms merge across processes.
 */

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export interface Histogram {
  /** bucket index → count; bucket 0 holds values below 1 µs */
  counts: Map<number, number>;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** What crosses the IPC channel or lands in the JSON result. */
export interface SparseHistogram {
  buckets: number[];
  counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export function createHistogram(): Histogram {
  return { counts: new Map(), count: 0, sum: 0, min: Infinity, max: -Infinity };
}

export function bucketOf(value: number): number {
  if (!(value >= 1)) return 0;
  return 1 + Math.floor(Math.log(value) / LOG_GROWTH);
}

/** Geometric middle of a bucket: the value reported for anything that fell into it. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0.5;
  return Math.pow(GROWTH, bucket - 0.5);
}

export function bucketBounds(bucket: number): [number, number] {
  if (bucket <= 0) return [0, 1];
  return [Math.pow(GROWTH, bucket - 1), Math.pow(GROWTH, bucket)];
}

export function recordValue(h: Histogram, value: number, times = 1): void {
  const v = value < 0 ? 0 : value;
  const b = bucketOf(v);
  h.counts.set(b, (h.counts.get(b) ?? 0) + times);
  h.count += times;
  h.sum += v * times;
  if (v < h.min) h.min = v;
  if (v > h.max) h.max = v;
}

export function mergeHistogram(target: Histogram, source: Histogram | SparseHistogram): void {
  if (source.count === 0) return;
  if ("buckets" in source) {
    for (let i = 0; i < source.buckets.length; i++) {
      const b = source.buckets[i] as number;
      target.counts.set(b, (target.counts.get(b) ?? 0) + (source.counts[i] as number));
    }
  } else {
    for (const [b, c] of source.counts) target.counts.set(b, (target.counts.get(b) ?? 0) + c);
  }
  target.count += source.count;
  target.sum += source.sum;
  if (source.min < target.min) target.min = source.min;
  if (source.max > target.max) target.max = source.max;
}

export function toSparse(h: Histogram): SparseHistogram {
  const keys = [...h.counts.keys()].sort((a, b) => a - b);
  return {
    buckets: keys,
    counts: keys.map((k) => h.counts.get(k) as number),
    count: h.count,
    sum: h.sum,
    min: h.count > 0 ? h.min : 0,
    max: h.count > 0 ? h.max : 0,
  };
}

export function fromSparse(s: SparseHistogram): Histogram {
  const h = createHistogram();
  mergeHistogram(h, s);
  return h;
}

/** Value at percentile p (0–100); exact at the extremes, bucket middle (clamped to min/max) elsewhere. */
export function percentile(h: Histogram, p: number): number {
  if (h.count === 0) return 0;
  if (p <= 0) return h.min;
  if (p >= 100) return h.max;
  const rank = Math.max(1, Math.ceil((p / 100) * h.count));
  const keys = [...h.counts.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const k of keys) {
    seen += h.counts.get(k) as number;
    if (seen >= rank) return Math.min(h.max, Math.max(h.min, bucketValue(k)));
  }
  return h.max;
}

/** Summary in the histogram's unit divided by `scale` (1000 turns µs into ms). */
export function summarize(h: Histogram, scale = 1): LatencySummary {
  const r = (v: number) => Math.round((v / scale) * 1000) / 1000;
  if (h.count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.count,
    min: r(h.min),
    mean: r(h.sum / h.count),
    p50: r(percentile(h, 50)),
    p90: r(percentile(h, 90)),
    p95: r(percentile(h, 95)),
    p99: r(percentile(h, 99)),
    p999: r(percentile(h, 99.9)),
    max: r(h.max),
  };
}

/** Regroup the fine buckets into about `bins` log-spaced bars for a chart: [lower, upper, count]. */
export function displayBins(h: Histogram, bins: number): Array<[number, number, number]> {
  if (h.count === 0) return [];
  const lo = Math.max(1, h.min);
  const hi = Math.max(lo * 1.0001, h.max);
  const step = Math.log(hi / lo) / bins || 1;
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < bins; i++) out.push([lo * Math.exp(step * i), lo * Math.exp(step * (i + 1)), 0]);
  for (const [b, c] of h.counts) {
    const v = Math.min(hi, Math.max(lo, bucketValue(b)));
    const i = Math.min(bins - 1, Math.max(0, Math.floor(Math.log(v / lo) / step)));
    (out[i] as [number, number, number])[2] += c;
  }
  return out;
}
