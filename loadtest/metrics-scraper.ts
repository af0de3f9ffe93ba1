/**
 * Optional extra data from the hub's Prometheus endpoint: its own event-loop lag over the run, how
 * much each counter grew, and what its phase histogram (phase-timings.ts) observed. Servers without
 * /metrics (the baseline) are skipped silently.
 */
import { PHASE_FAMILY, PHASE_LABEL } from "./phase-timings.ts";
import { histogramDelta, parseHistogramFamily, type PromHistogram } from "./prom-histogram.ts";
import { sleep } from "./support/wait-for.ts";
import { nowMs } from "./time-series.ts";

export interface MetricsTarget {
  label: string;
  url: string;
}

export interface LoopLagSample {
  at: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface InstanceMetrics {
  label: string;
  available: boolean;
  eventLoopLag: LoopLagSample[];
  /** counter (…_total, summed over label sets) growth between the first and last scrape */
  counterDeltas: Record<string, number>;
  /** last value of every gauge whose name ends in queue_depth or connections */
  lastGauges: Record<string, number>;
  /** `pushhub_phase_seconds` by phase, observed between the first and last scrape; {} when absent */
  phaseHistograms: Record<string, PromHistogram>;
}

/** Sums samples by metric name: `name{labels} value` lines, comments skipped. */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) out.set(m[1] as string, (out.get(m[1] as string) ?? 0) + v);
  }
  return out;
}

const pick = (m: Map<string, number>, suffix: string) => {
  for (const [k, v] of m) if (k.endsWith(suffix)) return v;
  return undefined;
};

export function createMetricsScraper(deps: { targets: MetricsTarget[]; t0: number; intervalMs?: number }) {
  type Phases = Map<string, PromHistogram>;
  const state = deps.targets.map((t) => ({
    ...t, first: undefined as Map<string, number> | undefined, last: undefined as Map<string, number> | undefined,
    firstPhases: undefined as Phases | undefined, lastPhases: undefined as Phases | undefined, lag: [] as LoopLagSample[], absent: false, busy: false,
  }));
  let timer: NodeJS.Timeout | undefined;
  let stopped: Promise<InstanceMetrics[]> | undefined;

  const scrapeOnce = () =>
    Promise.all(
      state.map(async (s) => {
        if (s.absent || s.busy) return;
        s.busy = true;
        try {
          const res = await fetch(`${s.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
          const text = await res.text();
          // a server without the endpoint (the baseline) is not asked again; slow answers are just skipped
          if (res.status === 404) s.absent = true;
          if (res.status !== 200) return;
          const m = parsePrometheus(text);
          s.first ??= m;
          s.last = m;
          const phases = parseHistogramFamily(text, PHASE_FAMILY, PHASE_LABEL);
          s.firstPhases ??= phases;
          s.lastPhases = phases;
          const p50 = pick(m, "eventloop_lag_p50_seconds"), p99 = pick(m, "eventloop_lag_p99_seconds"), max = pick(m, "eventloop_lag_max_seconds");
          if (p99 !== undefined) {
            const ms = (v: number | undefined) => Math.round((v ?? 0) * 1e5) / 100;
            s.lag.push({ at: Math.round((nowMs() - deps.t0) / 10) / 100, p50Ms: ms(p50), p99Ms: ms(p99), maxMs: ms(max) });
          }
        } catch {
          // timed out or refused: try again next interval
        } finally {
          s.busy = false;
        }
      }),
    );

  return {
    start() {
      void scrapeOnce();
      timer = setInterval(() => void scrapeOnce(), deps.intervalMs ?? 2000);
    },
    stop(): Promise<InstanceMetrics[]> {
      if (timer) clearInterval(timer);
      const idle = async () => {
        while (state.some((s) => s.busy)) await sleep(50);
      };
      stopped ??= idle().then(scrapeOnce).then(summarizeAll);
      return stopped;
    },
  };

  function summarizeAll(): InstanceMetrics[] {
    return state.map((s) => {
      const counterDeltas: Record<string, number> = {};
      const lastGauges: Record<string, number> = {};
      for (const [k, v] of s.last ?? []) {
        if (k.endsWith("_total") && !k.includes("process_")) counterDeltas[k] = v - (s.first?.get(k) ?? 0);
        if (k.endsWith("queue_depth") || k.endsWith("_connections")) lastGauges[k] = v;
      }
      const phaseHistograms: Record<string, PromHistogram> = {};
      for (const [phase, h] of s.lastPhases ?? []) phaseHistograms[phase] = histogramDelta(s.firstPhases?.get(phase), h);
      return { label: s.label, available: s.last !== undefined, eventLoopLag: s.lag, counterDeltas, lastGauges, phaseHistograms };
    });
  }
}
