/** The topic scenario's raw tallies → the figures of its JSON result, verdict included. Pure. */
import { cpus, totalmem } from "node:os";
import { groupCpu } from "./cpu-account.ts";
import { cpuPercent } from "./cost-figures.ts";
import type { CpuWindow } from "./cpu-window.ts";
import { addCounters, createDeliveryCounters, type DeliveryCounters } from "./delivery-events.ts";
import { summarizeProcess, type ProcessSamples, type ProcessSummary } from "./process-sampler.ts";
import { fromSparse, summarize, type LatencySummary } from "./stats.ts";
import { bytesPerRow, evaluateTargets, mergeReceipts, perSecond, splitDirectLatency, summarizeCalls, type CallSummary, type DirectLatency, type MergedReceipts, type Target } from "./topic-figures.ts";
import type { TopicOptions } from "./topic-options.ts";
import type { PublishRaw, TopicRaw } from "./topic-run.ts";

export interface PublishResult {
  index: number;
  id: string;
  recipients: number;
  /** POST → 202, ms */
  acceptMs: number;
  /** 202 → the first poll that said done (polled every 50 ms), s; null: not done in time */
  fanOutSec: number | null;
  rowsPerSec: number | null;
  receipts: MergedReceipts;
  size: {
    messagesBytesBefore: number;
    messagesBytesAfter: number | null;
    growthBytes: number | null;
    bytesPerRecipient: number | null;
    /** rows of this publish, and direct rows written in the same window (their bytes are in the growth too) */
    topicRows: number | null;
    directRowsDuring: number | null;
    avgRecipientTupleBytes: number | null;
    /** pg_column_size of the publish row and of its body (stored, maybe compressed), and the body's JSON size */
    publishRowBytes: number | null;
    publishBodyStoredBytes: number | null;
    publishBodyBytes: number | null;
  };
  /** CPU over request → done: seconds and % of one core */
  cpu: { windowSec: number; hubSec: number; hubPct: number; postgresSec: number; postgresPct: number; postgresBackgroundSec: number; problems: string[] } | null;
}

export interface TopicResult {
  name: string;
  scenario: "topic-publish";
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGB: number; node: string; platform: string };
  options: TopicOptions;
  topic: string;
  subscribe: CallSummary & { uids: number; subscribers: number; callMs: number[] };
  connect: { online: number; connected: number; connectErrors: number; seconds: number };
  direct: {
    users: number; rate: number; sent: number; accepted: number; received: number; lost: number; lostSample: number[]; duplicates: number; misrouted: number;
    latencyMs: DirectLatency; httpLatencyMs: LatencySummary;
  } | null;
  publishes: PublishResult[];
  clients: {
    deliveries: DeliveryCounters; unexpected: number; disconnects: number; connectedAtEnd: number;
    workerEventLoopDelayMs: Array<{ p50: number; p99: number; max: number }>; errorSample: string[];
  };
  hub: { whole: ProcessSummary[]; series: ProcessSamples[] };
  generator: ProcessSummary[];
  targets: Target[];
  ok: boolean;
  failures: string[];
  warnings: string[];
  problems: string[];
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

function cpuOf(w: CpuWindow | null): PublishResult["cpu"] {
  if (!w) return null;
  const windowSec = (w.endMs - w.startMs) / 1000;
  const g = (name: string) => groupCpu(w.processes).find((x) => x.group === name)?.cpuSec ?? 0;
  return {
    windowSec: r3(windowSec), hubSec: r3(g("hub")), hubPct: cpuPercent(g("hub"), windowSec), postgresSec: r3(g("postgres")),
    postgresPct: cpuPercent(g("postgres"), windowSec), postgresBackgroundSec: r3(g("postgres-background")), problems: w.problems,
  };
}

function publishResult(p: PublishRaw, raw: TopicRaw): PublishResult {
  const fanOutMs = p.doneAt === null ? null : p.doneAt - p.acceptedAt;
  const growth = p.sizeAfter === null ? null : p.sizeAfter.bytes - p.sizeBefore.bytes;
  return {
    index: p.index, id: p.id, recipients: p.recipients, acceptMs: r3(p.acceptedAt - p.sentAt), fanOutSec: fanOutMs === null ? null : r3(fanOutMs / 1000),
    rowsPerSec: perSecond(p.recipients, fanOutMs),
    receipts: mergeReceipts(raw.workers, p.id, (w) => raw.onlineUidsOfWorker[w] ?? []),
    size: {
      messagesBytesBefore: p.sizeBefore.bytes, messagesBytesAfter: p.sizeAfter?.bytes ?? null, growthBytes: growth,
      bytesPerRecipient: growth === null ? null : bytesPerRow(growth, p.recipients), topicRows: p.rows?.topicRows ?? null,
      directRowsDuring: p.rows?.otherRows ?? null, avgRecipientTupleBytes: p.rows?.avgRecipientTupleBytes ?? null,
      publishRowBytes: p.rows?.publishRowBytes ?? null, publishBodyStoredBytes: p.rows?.publishBodyColumnBytes ?? null, publishBodyBytes: p.rows?.publishBodyBytes ?? null,
    },
    cpu: cpuOf(p.cpu),
  };
}

export function buildTopicResult(o: { name: string; startedAt: Date; options: TopicOptions; raw: TopicRaw }): TopicResult {
  const { raw, options } = o;
  const publishes = raw.publishes.map((p) => publishResult(p, raw));
  const d = raw.direct;
  const fanOuts = raw.publishes.map((p) => ({ from: p.sentAt, to: p.doneAt ?? p.sentAt + options.fanOutTimeoutSec * 1000 }));
  const direct: TopicResult["direct"] = d && {
    users: options.directUsers, rate: options.directRate, sent: d.producer.sent, accepted: d.producer.accepted, received: d.live.received,
    lost: d.lost.count, lostSample: d.lost.sample, duplicates: d.live.duplicates, misrouted: d.live.misrouted,
    latencyMs: splitDirectLatency(d.receipts, fanOuts), httpLatencyMs: summarize(fromSparse(d.producer.httpLatency), 1000),
  };
  const subscribe = summarizeCalls(raw.subscribe.callMs);
  const failures: string[] = [];
  for (const p of publishes) {
    if (p.receipts.missing > 0) failures.push(`publish ${p.id}: ${p.receipts.missing} of the ${p.receipts.expected} online clients never received it (e.g. ${p.receipts.missingSample.slice(0, 3).join(", ")})`);
    if (p.fanOutSec === null) failures.push(`publish ${p.id}: the fan-out was not done within ${options.fanOutTimeoutSec} s`);
    if (p.size.topicRows !== null && p.size.topicRows !== p.recipients) failures.push(`publish ${p.id}: ${p.size.topicRows} recipient rows stored for ${p.recipients} recipients`);
  }
  if (publishes.length < options.publishes) failures.push(`only ${publishes.length} of ${options.publishes} publishes were made`);
  if (!raw.connect.allConnected) failures.push(`only ${raw.connect.connected} of the ${options.online} online clients connected`);
  if (d && d.lost.count > 0) failures.push(`${d.lost.count} accepted direct messages were lost`);
  if (d && d.live.misrouted > 0) failures.push(`${d.live.misrouted} direct messages reached the wrong uid`);
  const unexpected = raw.workers.reduce((a, w) => a + w.unexpected, 0);
  if (unexpected > 0) failures.push(`${unexpected} unexpected payloads at the online clients`);

  const warnings: string[] = [];
  const dups = publishes.reduce((a, p) => a + p.receipts.duplicates, 0);
  if (dups > 0) warnings.push(`${dups} duplicate receipts of topic messages at the online clients`);
  const disconnects = raw.workers.reduce((a, w) => a + w.disconnects, 0);
  if (disconnects > 0) warnings.push(`${disconnects} online clients were disconnected during the run`);
  for (const p of publishes) if ((p.size.directRowsDuring ?? 0) > 0) warnings.push(`publish ${p.id}: its size growth includes ${p.size.directRowsDuring} direct message rows stored in the same window`);
  const generator = raw.generatorSamples.map((x) => summarizeProcess(x));
  for (const g of generator) if (g.cpuMeanPct > 90) warnings.push(`${g.label} averaged ${g.cpuMeanPct}% CPU: it may be what limits the receipt latency`);
  if (d && d.producer.errors + d.producer.rejected > 0) warnings.push(`${d.producer.errors + d.producer.rejected} direct messages failed or were rejected`);

  return {
    name: o.name, scenario: "topic-publish", startedAt: o.startedAt.toISOString(), finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` },
    options, topic: raw.topic,
    subscribe: { ...subscribe, uids: options.subscribers, subscribers: raw.subscribe.subscribers, callMs: raw.subscribe.callMs.map((x) => Math.round(x * 10) / 10) },
    connect: { online: options.online, connected: raw.connect.connected, connectErrors: raw.connect.connectErrors, seconds: r3((raw.connect.endedAt - raw.connect.startedAt) / 1000) },
    direct, publishes,
    clients: {
      deliveries: raw.workers.reduce((a, w) => addCounters(a, w.deliveries), createDeliveryCounters()), unexpected, disconnects,
      connectedAtEnd: raw.workers.reduce((a, w) => a + w.connected, 0), workerEventLoopDelayMs: raw.workers.map((w) => w.eventLoopDelayMs),
      errorSample: [...raw.workers.flatMap((w) => w.errorSample), ...(d?.live.errorSample ?? []), ...(d?.producer.errorSample ?? [])].slice(0, 40),
    },
    hub: { whole: raw.hubSamples.map((x) => summarizeProcess(x)), series: raw.hubSamples },
    generator,
    targets: evaluateTargets({
      subscribeMaxMs: subscribe.count > 0 ? subscribe.maxMs : null, rowsPerSec: publishes.map((p) => p.rowsPerSec),
      directBeforeP99Ms: direct && direct.latencyMs.before.count > 0 ? direct.latencyMs.before.p99 : null,
      directDuringP99Ms: direct && direct.latencyMs.during.count > 0 ? direct.latencyMs.during.p99 : null,
    }),
    ok: failures.length === 0, failures, warnings, problems: raw.problems,
  };
}
