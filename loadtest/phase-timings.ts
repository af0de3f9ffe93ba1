/**
 * The hub's own split of a message's way through it: the histogram family `pushhub_phase_seconds`
 * with a `phase` label (accept, commit, handover, emit, ack, …) on its /metrics. Per phase: what was
 * observed over the run, summed over instances, with p50/p99 estimated from the buckets. Pure.
 */
import { histogramQuantile, mergeHistograms, type PromHistogram } from "./prom-histogram.ts";

export const PHASE_FAMILY = "pushhub_phase_seconds";
export const PHASE_LABEL = "phase";

export interface PhaseTiming {
  phase: string;
  count: number;
  meanMs: number | null;
  /** estimated from the buckets (linear within a bucket), so only as fine as the bucket bounds */
  p50Ms: number | null;
  p99Ms: number | null;
}

const ms = (sec: number | null) => (sec === null ? null : Math.round(sec * 1e6) / 1000);

/** One row per phase, in the order the phases first appear; phases with nothing observed are left out. */
export function phaseTimings(perInstance: Array<Record<string, PromHistogram>>): PhaseTiming[] {
  const phases = [...new Set(perInstance.flatMap((h) => Object.keys(h)))];
  return phases.flatMap((phase) => {
    const h = mergeHistograms(perInstance.flatMap((x) => (x[phase] ? [x[phase]] : [])));
    if (h.count <= 0) return [];
    return [{ phase, count: h.count, meanMs: ms(h.sum / h.count), p50Ms: ms(histogramQuantile(0.5, h)), p99Ms: ms(histogramQuantile(0.99, h)) }];
  });
}
