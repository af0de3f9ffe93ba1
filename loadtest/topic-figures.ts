/** The topic scenario's arithmetic: call-time summaries, latency splits, receipts merged over workers, targets. Pure. */
import type { LiveReceipts } from "./live-clients.ts";
import { createHistogram, mergeHistogram, recordValue, summarize, type LatencySummary } from "./stats.ts";
import type { TopicWorkerFinal } from "./topic-ipc.ts";

const r1 = (v: number) => Math.round(v * 10) / 10;

export interface CallSummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  maxMs: number;
  totalSec: number;
}

/** Durations (ms) of calls made one after the other; p50 is the lower median. */
export function summarizeCalls(ms: number[]): CallSummary {
  if (ms.length === 0) return { count: 0, meanMs: 0, p50Ms: 0, maxMs: 0, totalSec: 0 };
  const sorted = [...ms].sort((a, b) => a - b);
  const total = ms.reduce((a, b) => a + b, 0);
  return {
    count: ms.length, meanMs: r1(total / ms.length), p50Ms: r1(sorted[Math.ceil(sorted.length / 2) - 1] as number),
    maxMs: r1(sorted[sorted.length - 1] as number), totalSec: Math.round(total) / 1000,
  };
}

export interface DirectLatency {
  /** published before the first topic publish */
  before: LatencySummary;
  /** published while a fan-out ran (a publish's request → its status said done) */
  during: LatencySummary;
  /** the rest: between fan-outs and after the last */
  other: LatencySummary;
}

/** Splits publish → first receipt latencies of the direct messages by their publish time. */
export function splitDirectLatency(r: LiveReceipts, fanOuts: Array<{ from: number; to: number }>): DirectLatency {
  const h = { before: createHistogram(), during: createHistogram(), other: createHistogram() };
  const first = fanOuts.length > 0 ? Math.min(...fanOuts.map((w) => w.from)) : Infinity;
  r.t.forEach((t, i) => {
    const us = ((r.at[i] as number) - t) * 1000;
    recordValue(t < first ? h.before : fanOuts.some((w) => t >= w.from && t <= w.to) ? h.during : h.other, us);
  });
  return { before: summarize(h.before, 1000), during: summarize(h.during, 1000), other: summarize(h.other, 1000) };
}

/** `count` per second over `ms` (whole units); null without a duration. */
export function perSecond(count: number, ms: number | null): number | null {
  return ms !== null && ms > 0 ? Math.round((count / ms) * 1000) : null;
}

/** bytes ÷ rows to one decimal; null without rows. */
export function bytesPerRow(bytes: number, rows: number): number | null {
  return rows > 0 ? r1(bytes / rows) : null;
}

export interface MergedReceipts {
  expected: number;
  received: number;
  missing: number;
  duplicates: number;
  /** publish → first receipt at each online client, ms */
  latencyMs: LatencySummary;
  /** epoch ms of the last first receipt (0 = none) */
  lastAt: number;
  missingSample: string[];
}

/**
 * One publish's receipts over all workers. A worker none of whose clients received the publish has no
 * entry for it: `uidsOfWorker` names its clients for the missing sample.
 */
export function mergeReceipts(finals: TopicWorkerFinal[], publishId: string, uidsOfWorker: (worker: number) => string[]): MergedReceipts {
  const latency = createHistogram();
  let expected = 0, received = 0, duplicates = 0, lastAt = 0;
  const missingSample: string[] = [];
  for (const f of finals) {
    expected += f.clients;
    const p = f.publishes.find((x) => x.publishId === publishId);
    const sample = p ? p.missingSample : uidsOfWorker(f.workerIndex).slice(0, 20);
    for (const uid of sample) if (missingSample.length < 20) missingSample.push(uid);
    if (!p) continue;
    received += p.received;
    duplicates += p.duplicates;
    lastAt = Math.max(lastAt, p.lastAt);
    mergeHistogram(latency, p.latency);
  }
  return { expected, received, missing: expected - received, duplicates, latencyMs: summarize(latency, 1000), lastAt, missingSample };
}

export interface Target {
  what: string;
  target: string;
  value: string;
  /** null: not measured */
  met: boolean | null;
}

export function evaluateTargets(o: {
  subscribeMaxMs: number | null;
  rowsPerSec: Array<number | null>;
  directBeforeP99Ms: number | null;
  directDuringP99Ms: number | null;
}): Target[] {
  const minRows = o.rowsPerSec.every((x) => x !== null) && o.rowsPerSec.length > 0 ? Math.min(...(o.rowsPerSec as number[])) : null;
  const ratio = o.directBeforeP99Ms !== null && o.directDuringP99Ms !== null && o.directBeforeP99Ms > 0 ? o.directDuringP99Ms / o.directBeforeP99Ms : null;
  return [
    { what: "subscribe call (10,000 uids), max", target: "≤ 1000 ms", value: o.subscribeMaxMs === null ? "n/a" : `${o.subscribeMaxMs} ms`, met: o.subscribeMaxMs === null ? null : o.subscribeMaxMs <= 1000 },
    { what: "fan-out recipient rows/s, slowest publish", target: "≥ 50,000/s", value: minRows === null ? "n/a" : `${minRows}/s`, met: minRows === null ? null : minRows >= 50_000 },
    {
      what: "direct latency p99 during fan-out ÷ before", target: "≤ 2", met: ratio === null ? null : ratio <= 2,
      value: ratio === null ? "n/a" : `${Math.round(ratio * 100) / 100} (${o.directDuringP99Ms} ms ÷ ${o.directBeforeP99Ms} ms)`,
    },
  ];
}
