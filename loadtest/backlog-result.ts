/** The backlog scenario's raw tallies → the figures of its JSON result, verdict included. Pure. */
import { cpus, totalmem } from "node:os";
import type { BacklogOptions } from "./backlog-options.ts";
import type { BacklogRaw } from "./backlog-run.ts";
import type { DeliveryCounters } from "./delivery-events.ts";
import type { FillResult } from "./backlog-fill.ts";
import type { InstanceMetrics } from "./metrics-scraper.ts";
import { latencyBySecond, phaseLatency, type LatencyBySecond, type PhaseLatency } from "./phase-latency.ts";
import { summarizeProcess, type ProcessSamples, type ProcessSummary } from "./process-sampler.ts";
import { fromSparse, summarize, type LatencySummary } from "./stats.ts";

export interface BacklogResult {
  name: string;
  scenario: "backlog-drain";
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGB: number; node: string; platform: string };
  options: BacklogOptions;
  /** seconds since t0 */
  phases: { publishStart: number; drainStart: number; drainEnd: number; end: number };
  fill: FillResult;
  drain: {
    n: number;
    completed: boolean;
    /** connect → socket connected, → first message, → last of the N (first receipts) */
    connectMs: number;
    firstMessageMs: number;
    drainSec: number;
    drainPerSec: number;
    received: number;
    missing: number;
    outOfOrder: number;
    duplicates: number;
    invalid: number;
    redelivered: number;
    acksSent: number;
    noAckCallback: number;
    /** `message` events and `messages` frames the big uid got */
    deliveries: DeliveryCounters;
    connectErrors: number;
    disconnects: number;
    missingSample: number[];
    outOfOrderSample: Array<{ seq: number; afterSeq: number }>;
    /** first receipts per second since t0 */
    perSecond: number[];
    errorSample: string[];
  };
  others: {
    users: number;
    sent: number;
    accepted: number;
    rejected: number;
    requestErrors: number;
    received: number;
    lost: number;
    lostSample: number[];
    duplicates: number;
    misrouted: number;
    connectErrors: number;
    disconnects: number;
    /** publish → first receipt, split by publish time: before the drain, during it, after it */
    latencyMs: PhaseLatency;
    bySecond: LatencyBySecond;
    httpLatencyMs: LatencySummary;
    errorSample: string[];
  };
  hub: { before: ProcessSummary[]; during: ProcessSummary[]; eventLoopLagP99Ms: { before: number; during: number }; series: ProcessSamples[]; metrics: InstanceMetrics[] };
  generator: { during: ProcessSummary[]; receiverEventLoopDelayMs: { p50: number; p99: number; max: number } };
  ok: boolean;
  failures: string[];
  warnings: string[];
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

export function buildBacklogResult(o: { name: string; startedAt: Date; options: BacklogOptions; raw: BacklogRaw }): BacklogResult {
  const { raw, options } = o;
  const d = raw.drain, p = raw.producer;
  const s = (ms: number) => r3((ms - raw.t0) / 1000);
  const phases = { publishStart: s(raw.publishStart), drainStart: s(raw.drainStart), drainEnd: s(raw.drainEnd), end: s(raw.end) };
  const completed = d.missing === 0 && !raw.timedOut;
  const drainSec = d.lastAt > 0 ? r3((d.lastAt - d.connectStartAt) / 1000) : 0;
  const lag = (from: number, to: number) => Math.max(0, ...raw.hubMetrics.flatMap((m) => m.eventLoopLag.filter((x) => x.at >= from && x.at <= to).map((x) => x.p99Ms)));
  const failures: string[] = [];
  if (d.missing > 0) failures.push(`${d.missing} of the ${options.backlog} backlog messages never arrived${raw.timedOut ? ` (drain timeout ${options.drainTimeoutSec} s)` : ""}`);
  if (d.outOfOrder > 0) failures.push(`${d.outOfOrder} backlog messages arrived out of sequence order`);
  if (d.invalid > 0) failures.push(`${d.invalid} receipts at the big uid carried no valid sequence number`);
  if (raw.othersLost.count > 0) failures.push(`${raw.othersLost.count} accepted live messages to the other users were lost`);
  if (raw.live.misrouted > 0) failures.push(`${raw.live.misrouted} live messages reached the wrong uid`);
  const generatorDuring = raw.generatorSamples.map((x) => summarizeProcess(x, phases.drainStart, phases.drainEnd));
  const warnings: string[] = [];
  if (d.duplicates > 0) warnings.push(`${d.duplicates} duplicate receipts at the big uid (${d.redelivered} receipts said attempt > 1)`);
  for (const g of generatorDuring) if (g.cpuMeanPct > 90) warnings.push(`${g.label} averaged ${g.cpuMeanPct}% CPU during the drain: it may be what limits the drain rate`);
  if (raw.live.connectErrors + d.connectErrors > 0) warnings.push(`${raw.live.connectErrors + d.connectErrors} connect errors`);
  if (d.disconnects > 0) warnings.push(`the big uid was disconnected ${d.disconnects} time(s) during the drain`);
  const expectedLive = options.rate * ((raw.drainEnd - raw.publishStart) / 1000);
  if (p.sent < expectedLive * 0.95) warnings.push(`only ${p.sent} live messages went out, ~${Math.round(expectedLive)} offered (producer or hub could not keep up)`);

  return {
    name: o.name,
    scenario: "backlog-drain",
    startedAt: o.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` },
    options,
    phases,
    fill: raw.fill,
    drain: {
      n: options.backlog, completed, connectMs: d.connectedAt > 0 ? r3(d.connectedAt - d.connectStartAt) : 0,
      firstMessageMs: d.firstAt > 0 ? r3(d.firstAt - d.connectStartAt) : 0, drainSec, drainPerSec: drainSec > 0 ? Math.round(d.received / drainSec) : 0,
      received: d.received, missing: d.missing, outOfOrder: d.outOfOrder, duplicates: d.duplicates, invalid: d.invalid, redelivered: d.redelivered,
      acksSent: d.acksSent, noAckCallback: d.noAckCallback, deliveries: d.deliveries, connectErrors: d.connectErrors, disconnects: d.disconnects,
      missingSample: d.missingSample, outOfOrderSample: d.outOfOrderSample, perSecond: d.perSecond, errorSample: d.errorSample,
    },
    others: {
      users: options.others, sent: p.sent, accepted: p.accepted, rejected: p.rejected, requestErrors: p.errors, received: raw.live.received,
      lost: raw.othersLost.count, lostSample: raw.othersLost.sample, duplicates: raw.live.duplicates, misrouted: raw.live.misrouted,
      connectErrors: raw.live.connectErrors, disconnects: raw.live.disconnects,
      latencyMs: phaseLatency(raw.receipts, raw.drainStart, raw.drainEnd), bySecond: latencyBySecond(raw.receipts, raw.t0),
      httpLatencyMs: summarize(fromSparse(p.httpLatency), 1000), errorSample: [...p.errorSample, ...raw.live.errorSample].slice(0, 30),
    },
    hub: {
      before: raw.hubSamples.map((x) => summarizeProcess(x, phases.publishStart, phases.drainStart)),
      during: raw.hubSamples.map((x) => summarizeProcess(x, phases.drainStart, phases.drainEnd)),
      eventLoopLagP99Ms: { before: lag(phases.publishStart, phases.drainStart), during: lag(phases.drainStart, phases.drainEnd) },
      series: raw.hubSamples,
      metrics: raw.hubMetrics,
    },
    generator: { during: generatorDuring, receiverEventLoopDelayMs: d.eventLoopDelayMs },
    ok: failures.length === 0,
    failures,
    warnings,
  };
}
