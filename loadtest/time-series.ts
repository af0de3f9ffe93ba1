import { createHistogram, mergeHistogram, recordValue, toSparse, type Histogram, type SparseHistogram } from "./stats.ts";

/** Per-second latency histograms, keyed by whole seconds since the run's t0. */
export interface LatencySeries {
  seconds: Map<number, Histogram>;
}

/** Wire form: parallel arrays. */
export interface SparseSeries {
  seconds: number[];
  histograms: SparseHistogram[];
}

export function createSeries(): LatencySeries {
  return { seconds: new Map() };
}

export function recordAt(series: LatencySeries, second: number, value: number): void {
  let h = series.seconds.get(second);
  if (!h) {
    h = createHistogram();
    series.seconds.set(second, h);
  }
  recordValue(h, value);
}

export function mergeSeries(target: LatencySeries, source: SparseSeries): void {
  source.seconds.forEach((s, i) => {
    let h = target.seconds.get(s);
    if (!h) {
      h = createHistogram();
      target.seconds.set(s, h);
    }
    mergeHistogram(h, source.histograms[i] as SparseHistogram);
  });
}

export function seriesToSparse(series: LatencySeries): SparseSeries {
  const seconds = [...series.seconds.keys()].sort((a, b) => a - b);
  return { seconds, histograms: seconds.map((s) => toSparse(series.seconds.get(s) as Histogram)) };
}

/** Counters per second since t0 (sent, accepted, …), grown on demand. */
export function bumpCounter(counts: number[], second: number, by = 1): void {
  while (counts.length <= second) counts.push(0);
  counts[second] = (counts[second] as number) + by;
}

/** Wall clock with sub-millisecond resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
