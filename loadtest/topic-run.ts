/**
 * The durable topic publish scenario, step by step: start one hub on a fresh database, subscribe N
 * uids to one topic, connect K of them (client workers) and D unsubscribed direct users, run direct
 * traffic, then publish P times, each timed from the request to "done" and to every online receipt.
 * Returns the raw material for topic-result.ts.
 */
import { randomBytes } from "node:crypto";
import type { CleanupRegistry } from "./cleanup-registry.ts";
import { createCpuWindowMeter, fixedPids, type CpuWindow, type PidSource } from "./cpu-window.ts";
import { buildClientSpecs } from "./generator.ts";
import { launchHubs } from "./hub-launcher.ts";
import type { ProducerFinal } from "./ipc-messages.ts";
import type { LaunchedTargets } from "./launched-targets.ts";
import { createLiveClients, type LiveClients, type LiveClientStats, type LiveReceipts } from "./live-clients.ts";
import { createPgProcessSource } from "./pg-processes.ts";
import { createProcessSampler, type ProcessSampler, type ProcessSamples } from "./process-sampler.ts";
import { createProducer, type Producer } from "./producer.ts";
import { decodeBitmap } from "./seq-bitmap.ts";
import { percentile } from "./stats.ts";
import { sleep } from "./support/wait-for.ts";
import { nowMs } from "./time-series.ts";
import { createTopicClients, type TopicClients } from "./topic-clients.ts";
import { openTopicDb, type MessagesSize, type PublishRows, type TopicDb } from "./topic-db.ts";
import { createTopicApi, subscribeAll, waitForFanOut, type PublishView, type TopicApi } from "./topic-http.ts";
import type { TopicWorkerFinal } from "./topic-ipc.ts";
import { directSecondsBound, SUBSCRIBE_CALL_UIDS, topicSourceAddresses, topicWorkerCount, type TopicOptions } from "./topic-options.ts";

export interface PublishRaw {
  index: number;
  id: string;
  recipients: number;
  /** epoch ms: request sent, 202 received, status first seen done (null: timed out), every online client had it */
  sentAt: number;
  acceptedAt: number;
  doneAt: number | null;
  allReceivedAt: number | null;
  last: PublishView | null;
  sizeBefore: MessagesSize;
  sizeAfter: MessagesSize | null;
  rows: PublishRows | null;
  /** CPU of the hub and the database's backends from the request to done */
  cpu: CpuWindow | null;
}

export interface TopicRaw {
  t0: number;
  topic: string;
  hubUrl: string;
  subscribe: { callMs: number[]; added: number; subscribers: number };
  connect: { startedAt: number; endedAt: number; allConnected: boolean; connected: number; connectErrors: number };
  onlineUidsOfWorker: string[][];
  direct: { startedAt: number; producer: ProducerFinal; lost: { count: number; sample: number[] }; live: LiveClientStats; receipts: LiveReceipts } | null;
  publishes: PublishRaw[];
  workers: TopicWorkerFinal[];
  hubSamples: ProcessSamples[];
  generatorSamples: ProcessSamples[];
  problems: string[];
}

export interface TopicDeps {
  runId: string;
  logDir: string;
  cleanup?: CleanupRegistry;
  log?: (line: string) => void;
  progress?: (line: string) => void;
}

export async function runTopic(o: TopicOptions, deps: TopicDeps): Promise<TopicRaw> {
  const log = deps.log ?? (() => undefined);
  const apiKey = `lt-key-${randomBytes(8).toString("hex")}`, jwtSecret = randomBytes(24).toString("hex");
  const topic = `lt-${deps.runId}`;
  const problems: string[] = [];
  let launched: LaunchedTargets | undefined, api: TopicApi | undefined, db: TopicDb | undefined;
  let clients: TopicClients | undefined, live: LiveClients | undefined, producer: Producer | undefined;
  let sampler: ProcessSampler | undefined, generatorSampler: ProcessSampler | undefined;
  let pgSource: ReturnType<typeof createPgProcessSource> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const stop = async () => {
    producer?.stop();
    live?.close();
    await clients?.close();
    await api?.close();
    await db?.close();
    await pgSource?.close();
    await launched?.stop();
  };
  const unregister = deps.cleanup?.add(stop);
  try {
    log("starting the hub (fresh database)…");
    launched = await launchHubs({
      logDir: deps.logDir, runId: deps.runId, instances: 1, redisUrl: o.redisUrl, forceRedis: o.forceRedis, readyTimeoutMs: 60_000,
      apiKey, jwtSecret, databaseAdminUrl: o.databaseAdminUrl, hubEnv: o.hubEnv, hubNodeFlags: o.hubNodeFlags, hubDist: o.hubDist,
    });
    const hub = launched.services[0] as (typeof launched.services)[number];
    const databaseUrl = launched.databaseUrl as string;
    const t0 = nowMs();
    const sec = () => Math.round((nowMs() - t0) / 1000);
    sampler = createProcessSampler({ processes: [{ label: hub.label, pid: hub.pid }], t0 });
    sampler.start();
    const hubNow = () => {
      const s = sampler?.latest()[0]?.sample;
      return `hub ${Math.round(s?.cpuPct ?? 0)}% ${Math.round(s?.rssMB ?? 0)}MB`;
    };
    api = createTopicApi({ url: hub.url, apiKey, topic });
    db = await openTopicDb(databaseUrl);
    pgSource = createPgProcessSource({ adminUrl: o.databaseAdminUrl, database: new URL(databaseUrl).pathname.slice(1) });

    // online clients are the first K subscribed uids (buildClientSpecs names them lt-<runId>-<i>)
    const specs = buildClientSpecs({ runId: deps.runId, clients: o.online, clientUrls: [hub.url], sourceAddresses: topicSourceAddresses(o), latePercent: 0 });
    const uids = Array.from({ length: o.subscribers }, (_, i) => `lt-${deps.runId}-${i}`);
    log(`subscribing ${o.subscribers} uids to ${topic} in calls of ${SUBSCRIBE_CALL_UIDS}…`);
    const subscribe = await subscribeAll(api, uids, SUBSCRIBE_CALL_UIDS, (done, ms) =>
      deps.progress?.(`[topic] ${sec()}s subscribe | ${done}/${o.subscribers} | last call ${Math.round(ms)} ms | ${hubNow()}`),
    );
    log(`subscribed: ${subscribe.subscribers} subscribers, slowest call ${Math.round(Math.max(...subscribe.callMs))} ms`);

    const workers = topicWorkerCount(o);
    clients = createTopicClients({ specs, workers, topic, jwtSecret, connectRatePerSec: o.connectRatePerSec, connectTimeoutMs: o.connectTimeoutMs, protocol: o.clientProtocol });
    generatorSampler = createProcessSampler({ processes: [{ label: "coordinator", pid: process.pid }, ...clients.pids.map((pid, i) => ({ label: `topic-client-worker-${i}`, pid }))], t0 });
    generatorSampler.start();
    const c = clients;
    ticker = setInterval(() => {
      const x = c.totals();
      deps.progress?.(`[topic] ${sec()}s connect | ${x.connected}/${o.online} err ${x.connectErrors} | ${hubNow()}`);
    }, 1000);
    log(`connecting ${o.online} subscribed clients (${workers} worker(s), ${topicSourceAddresses(o) || "no"} source addresses)…`);
    const connectStartedAt = nowMs();
    await clients.connect();
    const allConnected = await clients.waitConnected(o.online, o.connectTimeoutMs);
    const connectEndedAt = nowMs();
    clearInterval(ticker);
    const ct = clients.totals();
    if (!allConnected) problems.push(`only ${ct.connected} of the ${o.online} online clients connected within the connect timeout`);
    log(`connected ${ct.connected}/${o.online} in ${((connectEndedAt - connectStartedAt) / 1000).toFixed(1)} s (${ct.connectErrors} connect errors)`);

    const directUids = Array.from({ length: o.directUsers }, (_, i) => `lt-${deps.runId}-direct-${i}`);
    const directSec = directSecondsBound(o);
    const maxSeq = Math.ceil(o.directRate * directSec) + 16;
    let directStartedAt = 0;
    let producing: Promise<ProducerFinal> | undefined;
    if (o.directRate > 0) {
      live = createLiveClients({ urls: [hub.url], uids: directUids, jwtSecret, maxSeq, connectTimeoutMs: o.connectTimeoutMs, protocol: o.clientProtocol });
      log(`connecting ${o.directUsers} direct users; direct traffic ${o.directRate} msgs/s for ${o.directBeforeSec} s before the first publish…`);
      await live.connect();
      producer = createProducer({
        producerIndex: 0, producerCount: 1, targets: [hub.url], localAddresses: [], apiKey, uids: directUids, rate: o.directRate, durationSec: directSec,
        batchSize: 1, maxInFlight: 256, connectionsPerTarget: 16, msgBytes: 0, maxSeq, t0, tickMs: 500,
      });
      producing = producer.run();
      directStartedAt = nowMs();
    }
    let phase = "direct", fanned = 0, recipients = 0, currentId = "";
    const l = live, p = producer;
    ticker = setInterval(() => {
      const h = l?.takeRecent();
      const direct = h && p ? ` | direct sent ${p.progress().sent} p50 ${(percentile(h, 50) / 1000).toFixed(1)}ms p99 ${(percentile(h, 99) / 1000).toFixed(1)}ms` : "";
      const fan = currentId ? ` | fanned ${fanned}/${recipients} recv ${c.totals(currentId).received}/${o.online}` : "";
      deps.progress?.(`[topic] ${sec()}s ${phase}${fan}${direct} | ${hubNow()}`);
    }, 1000);
    await sleep(o.directBeforeSec * 1000);

    const publishes: PublishRaw[] = [];
    const pad = o.msgBytes > 0 ? "x".repeat(o.msgBytes) : undefined;
    for (let i = 0; i < o.publishes; i++) {
      phase = `publish ${i + 1}/${o.publishes}`;
      const sizeBefore = await db.messagesSize();
      const sources: PidSource[] = [fixedPids([{ pid: hub.pid, group: "hub", label: hub.label }]), pgSource.source];
      const meter = createCpuWindowMeter({ sources, intervalMs: 500 });
      await meter.start();
      const t = nowMs();
      const published = await api.publish(pad === undefined ? { t, n: i } : { t, n: i, p: pad });
      currentId = published.id;
      recipients = published.recipients;
      fanned = 0;
      const fan = await waitForFanOut(api, published.id, {
        everyMs: 50, timeoutMs: o.fanOutTimeoutSec * 1000, onPoll: (v) => (fanned = v.fannedOut),
        onError: (err) => problems.length < 20 && problems.push(`polling publish ${published.id}: ${err.message}`),
      });
      const cpu = await meter.end();
      const sizeAfter = fan.doneAt === null ? null : await db.messagesSize();
      if (fan.doneAt === null) problems.push(`publish ${published.id}: fan-out not done after ${o.fanOutTimeoutSec} s (${fan.last?.fannedOut ?? "?"}/${published.recipients})`);
      const allReceivedAt = await clients.waitReceived(published.id, o.online, o.receiptTimeoutSec * 1000);
      const rows = await db.publishRows(published.id, sizeBefore.maxId, (sizeAfter ?? sizeBefore).maxId).catch((err: Error) => (problems.push(`counting rows: ${err.message}`), null));
      publishes.push({ index: i, id: published.id, recipients: published.recipients, sentAt: t, acceptedAt: published.acceptedAt, doneAt: fan.doneAt, allReceivedAt, last: fan.last, sizeBefore, sizeAfter, rows, cpu });
      const done = fan.doneAt === null ? "NOT done" : `done in ${((fan.doneAt - published.acceptedAt) / 1000).toFixed(2)} s`;
      log(`publish ${i + 1}: ${published.recipients} recipients, ${done}; ${c.totals(published.id).received}/${o.online} online clients received it`);
      currentId = "";
    }

    phase = "finish";
    let direct: TopicRaw["direct"] = null;
    if (producer && producing && live) {
      producer.stop();
      const final = await producing;
      const accepted = decodeBitmap(final.acceptedBitmap, maxSeq);
      const graceEnd = nowMs() + 10_000;
      while (live.lost(accepted).count > 0 && nowMs() < graceEnd) await sleep(100);
      direct = { startedAt: directStartedAt, producer: final, lost: live.lost(accepted), live: live.stats(), receipts: live.receipts };
    }
    clearInterval(ticker);
    const workerFinals = await clients.finish();
    const onlineUidsOfWorker = Array.from({ length: workers }, (_, w) => specs.filter((_, i) => i % workers === w).map((s) => s.uid));
    return {
      t0, topic, hubUrl: hub.url, subscribe, connect: { startedAt: connectStartedAt, endedAt: connectEndedAt, allConnected, connected: ct.connected, connectErrors: ct.connectErrors },
      onlineUidsOfWorker, direct, publishes, workers: workerFinals, hubSamples: sampler.stop(), generatorSamples: generatorSampler.stop(), problems,
    };
  } finally {
    clearInterval(ticker);
    sampler?.stop();
    generatorSampler?.stop();
    await stop();
    unregister?.();
  }
}
