/** Starts fn(item) for each item at about ratePerSec, in small bursts so timers stay cheap. */
export async function paced<T>(items: readonly T[], ratePerSec: number, fn: (item: T) => void): Promise<void> {
  const started = performance.now();
  let next = 0;
  while (next < items.length) {
    const due = Math.min(items.length, Math.floor(((performance.now() - started) / 1000) * ratePerSec) + 1);
    while (next < due) fn(items[next++] as T);
    if (next < items.length) await new Promise((r) => setTimeout(r, 10));
  }
}

/** The sampling interval of monitorEventLoopDelay; its samples include it, so it is subtracted. */
export const LOOP_RESOLUTION_MS = 10;

/** Event-loop delay summary in ms from a perf_hooks histogram (which counts ns). */
export function loopDelaySummary(h: { percentile(p: number): number; max: number; count?: number }): {
  p50: number;
  p99: number;
  max: number;
} {
  const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100) : 0);
  if (h.count === 0) return { p50: 0, p99: 0, max: 0 };
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}
