/** Turns the raw tallies of one scenario into the figures the reports show. Pure. */
import type { ScenarioCost } from "./cost-summary.ts";
import { addCounters, createDeliveryCounters, type DeliveryCounters } from "./delivery-events.ts";
import { buildClientSpecs, type RawRun } from "./generator.ts";
import type { LiveHeapSummary } from "./live-heap.ts";
import type { InstanceMetrics } from "./metrics-scraper.ts";
import { phaseTimings, type PhaseTiming } from "./phase-timings.ts";
import { summarizeProcess, type ProcessSamples, type ProcessSummary } from "./process-sampler.ts";
import { createHistogram, mergeHistogram, percentile, summarize, toSparse, type Histogram, type LatencySummary, type SparseHistogram } from "./stats.ts";
import type { StorageReport } from "./storage-summary.ts";
import { createSeries, mergeSeries } from "./time-series.ts";

export interface TargetInfo {
  kind: "hub" | "baseline" | "external";
  instances: number;
  nginx: boolean;
  urls: string[];
}

export interface ScenarioSummary {
  label: string;
  target: TargetInfo;
  config: RawRun["options"];
  phases: RawRun["phases"];
  clients: {
    total: number;
    late: number;
    connectErrors: number;
    disconnects: number;
    connectTimeMs: LatencySummary;
    /** how long connecting the up-front clients took, and the rate that makes */
    connectPhaseSec: number;
    connectedPerSec: number;
  };
  messages: {
    offered: number;
    sent: number;
    accepted: number;
    rejected: number;
    rejectedByStatus: Record<string, number>;
    requestErrors: number;
    received: number;
    /** accepted, not received within the grace period (for the baseline: by clients online from the start) */
    lost: number;
    /** baseline only: messages for late clients, which a server without a backlog cannot deliver */
    lateUndeliverable: number;
    duplicates: number;
    unexpected: number;
    misrouted: number;
    acksSent: number;
    /** delivery events at the clients: `message` events, `messages` frames and what they carried */
    deliveries: DeliveryCounters;
  };
  throughput: { acceptedPerSec: number; deliveredPerSec: number };
  latencyMs: LatencySummary;
  backlog: { latencyMs: LatencySummary; drainSec: number };
  httpLatencyMs: LatencySummary;
  servers: ProcessSummary[];
  serversTotal: { cpuMeanPct: number; rssMaxMB: number };
  generator: Array<ProcessSummary & { eventLoopDelayMs?: { p50: number; p99: number; max: number } }>;
  series: { second: number[]; sent: number[]; accepted: number[]; delivered: number[]; backlog: number[]; p50Ms: number[]; p99Ms: number[]; maxMs: number[] };
  serverSeries: ProcessSamples[];
  /** from the servers' own /metrics, when they have one */
  serverMetrics: InstanceMetrics[];
  /** the hub's pushhub_phase_seconds histogram over the run, summed over instances; [] when absent */
  phaseTimings: PhaseTiming[];
  /** CPU per delivered message, Redis commands, statements over publishing + grace (measurement.ts) */
  cost?: ScenarioCost;
  histogram: SparseHistogram;
  /** --sample-db: table sizes over the run */
  storage?: StorageReport;
  /** --live-heap: the servers' live heap before and after the clients connected */
  liveHeap?: LiveHeapSummary;
  lostSample: Array<{ seq: number; uid: string }>;
  errorSample: string[];
  warnings: string[];
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

function sumArrays(arrays: number[][]): number[] {
  const out: number[] = [];
  for (const a of arrays) a.forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
  return Array.from(out, (v) => v ?? 0);
}

/** Mean per-second count over the whole seconds inside [from, to]; falls back to the partial window. */
function windowRate(perSecond: number[], from: number, to: number): number {
  let a = Math.ceil(from), b = Math.floor(to);
  if (b <= a) [a, b] = [Math.floor(from), Math.max(Math.floor(from) + 1, Math.ceil(to))];
  let n = 0;
  for (let s = a; s < b; s++) n += perSecond[s] ?? 0;
  return round(n / (b - a));
}

export function summarizeRun(raw: RawRun, target: TargetInfo, how: { backlogExpected: boolean }): ScenarioSummary {
  const c = raw.clientFinals, p = raw.producerFinals, o = raw.options;
  const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((acc, x) => acc + f(x), 0);
  const merged = (f: (x: (typeof c)[number]) => SparseHistogram): Histogram => {
    const h = createHistogram();
    for (const x of c) mergeHistogram(h, f(x));
    return h;
  };
  const latency = merged((x) => x.latency);
  const http = createHistogram();
  for (const x of p) mergeHistogram(http, x.httpLatency);
  const series = createSeries();
  for (const x of c) mergeSeries(series, x.series);

  const sentPs = sumArrays(p.map((x) => x.sentPerSecond));
  const acceptedPs = sumArrays(p.map((x) => x.acceptedPerSecond));
  const deliveredPs = sumArrays(c.map((x) => x.receivedPerSecond));
  const backlogPs = sumArrays(c.map((x) => x.backlogPerSecond));
  const last = Math.max(sentPs.length, acceptedPs.length, deliveredPs.length, backlogPs.length, ...[...series.seconds.keys()].map((s) => s + 1));
  const second = Array.from({ length: last }, (_, i) => i);
  const q = (s: number, pct: number) => {
    const h = series.seconds.get(s);
    return h ? round(percentile(h, pct) / 1000, 3) : 0;
  };

  const { publishStart, publishEnd } = raw.phases;
  const lateStart = Math.max(0, ...c.map((x) => x.lateConnectStartedAt));
  const lateEnd = Math.max(0, ...c.map((x) => x.lastLateReceiptAt));
  const servers = raw.processes.map((x) => summarizeProcess(x, publishStart, publishEnd));
  const loop = new Map<string, { p50: number; p99: number; max: number }>();
  c.forEach((x) => loop.set(`client-worker-${x.workerIndex}`, x.eventLoopDelayMs));
  p.forEach((x) => loop.set(`producer-${x.producerIndex}`, x.eventLoopDelayMs));
  const generator = raw.generatorProcesses.map((x) => {
    const s = summarizeProcess(x, publishStart, publishEnd);
    const l = loop.get(x.label);
    return l ? { ...s, eventLoopDelayMs: l } : s;
  });
  const late = Math.floor((o.clients * o.latePercent) / 100);
  const lateUids = new Set(buildClientSpecs(o).filter((x) => x.late).map((x) => x.uid));
  const messages = {
    offered: Math.round(o.rate * o.durationSec),
    sent: sum(p, (x) => x.sent),
    accepted: raw.acceptedTotal,
    rejected: sum(p, (x) => x.rejected),
    rejectedByStatus: p.reduce<Record<string, number>>((acc, x) => {
      for (const [k, v] of Object.entries(x.rejectedByStatus)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {}),
    requestErrors: sum(p, (x) => x.errors),
    received: sum(c, (x) => x.received),
    lost: sum(c, (x) => x.lost - (how.backlogExpected ? 0 : x.lostLate)),
    lateUndeliverable: how.backlogExpected ? 0 : sum(c, (x) => x.lostLate),
    duplicates: sum(c, (x) => x.duplicates),
    unexpected: sum(c, (x) => x.unexpected),
    misrouted: sum(c, (x) => x.misrouted),
    acksSent: sum(c, (x) => x.acksSent),
    deliveries: c.reduce((acc, x) => addCounters(acc, x.deliveries), createDeliveryCounters()),
  };
  const warnings: string[] = [];
  if (messages.sent < messages.offered * 0.98) warnings.push(`the producers sent ${messages.sent} of ${messages.offered} offered messages (generator or server could not keep up)`);
  for (const g of generator) if (g.cpuMeanPct > 90) warnings.push(`${g.label} averaged ${g.cpuMeanPct}% CPU: the generator itself may be the bottleneck`);
  const connectErrors = sum(c, (x) => x.connectErrors);
  if (connectErrors > 0) warnings.push(`${connectErrors} connect errors`);
  if (messages.misrouted > 0) warnings.push(`${messages.misrouted} messages reached the wrong uid`);
  if (messages.deliveries.malformedFrames > 0) warnings.push(`${messages.deliveries.malformedFrames} "messages" frames without a messages array`);

  return {
    label: raw.label,
    target,
    config: o,
    phases: raw.phases,
    clients: {
      total: o.clients, late, connectErrors, disconnects: sum(c, (x) => x.disconnects), connectTimeMs: summarize(merged((x) => x.connectTime), 1000),
      connectPhaseSec: round(publishStart - raw.phases.connectStart, 3),
      connectedPerSec: round((o.clients - late) / Math.max(0.001, publishStart - raw.phases.connectStart)),
    },
    messages,
    throughput: { acceptedPerSec: windowRate(acceptedPs, publishStart, publishEnd), deliveredPerSec: windowRate(deliveredPs, publishStart, publishEnd) },
    latencyMs: summarize(latency, 1000),
    backlog: { latencyMs: summarize(merged((x) => x.backlogLatency), 1000), drainSec: lateEnd > lateStart && lateStart > 0 ? round((lateEnd - lateStart) / 1000, 3) : 0 },
    httpLatencyMs: summarize(http, 1000),
    servers,
    serversTotal: { cpuMeanPct: round(sum(servers, (x) => x.cpuMeanPct)), rssMaxMB: round(sum(servers, (x) => x.rssMaxMB)) },
    generator,
    series: {
      second,
      sent: second.map((s) => sentPs[s] ?? 0),
      accepted: second.map((s) => acceptedPs[s] ?? 0),
      delivered: second.map((s) => deliveredPs[s] ?? 0),
      backlog: second.map((s) => backlogPs[s] ?? 0),
      p50Ms: second.map((s) => q(s, 50)),
      p99Ms: second.map((s) => q(s, 99)),
      maxMs: second.map((s) => q(s, 100)),
    },
    serverSeries: raw.processes,
    serverMetrics: raw.serverMetrics.filter((m) => m.available),
    phaseTimings: phaseTimings(raw.serverMetrics.map((m) => m.phaseHistograms)),
    histogram: toSparse(latency),
    lostSample: c.flatMap((x) => x.lostSample).filter((l) => how.backlogExpected || !lateUids.has(l.uid)).slice(0, 20),
    errorSample: [...p.flatMap((x) => x.errorSample), ...c.flatMap((x) => x.errorSample)].slice(0, 30),
    warnings,
  };
}
