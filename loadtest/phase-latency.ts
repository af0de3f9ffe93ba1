/**
 * Splits the other users' end-to-end latencies by when each message was published relative to the
 * drain: before the big uid connected, during the drain (connect → its last message, or the
 * timeout), after it. Pure.
 */
import type { LiveReceipts } from "./live-clients.ts";
import { createHistogram, percentile, recordValue, summarize, type Histogram, type LatencySummary } from "./stats.ts";

export interface PhaseLatency {
  before: LatencySummary;
  during: LatencySummary;
  after: LatencySummary;
}

export interface LatencyBySecond {
  /** seconds since t0 (publish time) */
  second: number[];
  count: number[];
  p50Ms: number[];
  p99Ms: number[];
}

export function phaseLatency(r: LiveReceipts, drainStart: number, drainEnd: number): PhaseLatency {
  const h = { before: createHistogram(), during: createHistogram(), after: createHistogram() };
  r.t.forEach((t, i) => {
    const us = ((r.at[i] as number) - t) * 1000;
    recordValue(t < drainStart ? h.before : t <= drainEnd ? h.during : h.after, us);
  });
  return { before: summarize(h.before, 1000), during: summarize(h.during, 1000), after: summarize(h.after, 1000) };
}

export function latencyBySecond(r: LiveReceipts, t0: number): LatencyBySecond {
  const bySecond = new Map<number, Histogram>();
  r.t.forEach((t, i) => {
    const s = Math.max(0, Math.floor((t - t0) / 1000));
    let h = bySecond.get(s);
    if (!h) bySecond.set(s, (h = createHistogram()));
    recordValue(h, ((r.at[i] as number) - t) * 1000);
  });
  const second = [...bySecond.keys()].sort((a, b) => a - b);
  const q = (s: number, p: number) => Math.round(percentile(bySecond.get(s) as Histogram, p)) / 1000;
  return { second, count: second.map((s) => (bySecond.get(s) as Histogram).count), p50Ms: second.map((s) => q(s, 50)), p99Ms: second.map((s) => q(s, 99)) };
}
