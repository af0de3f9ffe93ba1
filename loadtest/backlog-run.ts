/**
 * The deep-backlog drain scenario, step by step: start one hub, store N messages for an offline
 * uid, put live traffic on M other users, connect the big uid and wait for its last message (or the
 * timeout), settle, then collect everything. Returns the raw material for backlog-result.ts.
 */
import { randomBytes } from "node:crypto";
import type { BacklogOptions } from "./backlog-options.ts";
import { fillBacklog, type FillResult } from "./backlog-fill.ts";
import type { CleanupRegistry } from "./cleanup-registry.ts";
import { signClientToken } from "./client-token.ts";
import type { DrainFinal, DrainProgress, FromDrainReceiver, ToDrainReceiver } from "./drain-ipc.ts";
import { launchHubs } from "./hub-launcher.ts";
import type { ProducerFinal } from "./ipc-messages.ts";
import type { LaunchedTargets } from "./launched-targets.ts";
import { createLiveClients, type LiveClients, type LiveClientStats, type LiveReceipts } from "./live-clients.ts";
import { createMetricsScraper, type InstanceMetrics } from "./metrics-scraper.ts";
import { sleep } from "./support/wait-for.ts";
import { createProcessSampler, type ProcessSampler, type ProcessSamples } from "./process-sampler.ts";
import { createProducer } from "./producer.ts";
import { decodeBitmap } from "./seq-bitmap.ts";
import { percentile } from "./stats.ts";
import { nowMs } from "./time-series.ts";
import { forkWorker, type WorkerChannel } from "./worker-channel.ts";

export interface BacklogRaw {
  t0: number;
  hubUrl: string;
  fill: FillResult;
  /** epoch ms */
  publishStart: number;
  drainStart: number;
  drainEnd: number;
  end: number;
  timedOut: boolean;
  drain: DrainFinal;
  producer: ProducerFinal;
  othersLost: { count: number; sample: number[] };
  live: LiveClientStats;
  receipts: LiveReceipts;
  hubSamples: ProcessSamples[];
  generatorSamples: ProcessSamples[];
  hubMetrics: InstanceMetrics[];
}

export interface BacklogDeps {
  runId: string;
  logDir: string;
  cleanup?: CleanupRegistry;
  log?: (line: string) => void;
  progress?: (line: string) => void;
}

type Receiver = WorkerChannel<ToDrainReceiver, FromDrainReceiver>;

export async function runBacklog(o: BacklogOptions, deps: BacklogDeps): Promise<BacklogRaw> {
  const log = deps.log ?? (() => undefined);
  const apiKey = `lt-key-${randomBytes(8).toString("hex")}`, jwtSecret = randomBytes(24).toString("hex");
  let launched: LaunchedTargets | undefined;
  let receiver: Receiver | undefined;
  let live: LiveClients | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let sampler: ProcessSampler | undefined, generatorSampler: ProcessSampler | undefined;
  let scraper: ReturnType<typeof createMetricsScraper> | undefined;
  const stop = async () => {
    live?.close();
    await receiver?.close();
    await launched?.stop();
  };
  const unregister = deps.cleanup?.add(stop);
  try {
    log(`starting ${o.instances} hub(s) (fresh database)…`);
    launched = await launchHubs({
      logDir: deps.logDir, runId: deps.runId, instances: o.instances, redisUrl: o.redisUrl, forceRedis: o.forceRedis,
      readyTimeoutMs: 60_000, apiKey, jwtSecret, databaseAdminUrl: o.databaseAdminUrl, hubEnv: o.hubEnv,
      hubNodeFlags: o.hubNodeFlags, hubDist: o.hubDist,
    });
    const hubs = launched.services;
    const hub = hubs[0] as (typeof hubs)[number];
    const t0 = nowMs();
    const sec = () => Math.round((nowMs() - t0) / 1000);
    sampler = createProcessSampler({ processes: hubs.map((h) => ({ label: h.label, pid: h.pid })), t0 });
    sampler.start();
    scraper = createMetricsScraper({ targets: hubs.map((h) => ({ label: h.label, url: h.url })), t0 });
    scraper.start();
    const bigUid = `lt-${deps.runId}-big`;

    log(`storing ${o.backlog} messages for ${bigUid} (offline) in batches of ${o.fillBatch}…`);
    const fill = await fillBacklog({
      url: (hubs[hubs.length - 1] as typeof hub).url, apiKey, uid: bigUid, n: o.backlog, batch: o.fillBatch, msgBytes: o.msgBytes, keyPrefix: `lt-${deps.runId}-fill`,
      onProgress: (stored) => deps.progress?.(`[backlog] ${sec()}s fill | stored ${stored}/${o.backlog}`),
    });
    log(`stored ${fill.stored} in ${fill.seconds} s (${fill.perSec}/s, ${fill.retries} retries)`);

    receiver = forkWorker<ToDrainReceiver, FromDrainReceiver>(new URL("./drain-receiver.ts", import.meta.url), "drain-receiver");
    receiver.send({ type: "init", config: { url: hub.url, uid: bigUid, token: signClientToken(bigUid, jwtSecret), n: o.backlog, t0, tickMs: 500, connectTimeoutMs: o.connectTimeoutMs, protocol: o.clientProtocol } });
    await receiver.next("ready", 30_000);
    generatorSampler = createProcessSampler({ processes: [{ label: "coordinator", pid: process.pid }, { label: "drain-receiver", pid: receiver.pid }], t0 });
    generatorSampler.start();

    const uids = Array.from({ length: o.others }, (_, i) => `lt-${deps.runId}-${i}`);
    const liveSec = o.beforeSec + o.connectTimeoutMs / 1000 + o.drainTimeoutSec + o.settleSec + 30;
    const maxSeq = Math.ceil(o.rate * liveSec) + 16;
    live = createLiveClients({ urls: hubs.map((h) => h.url), uids, jwtSecret, maxSeq, connectTimeoutMs: o.connectTimeoutMs, protocol: o.clientProtocol });
    log(`connecting ${o.others} other users…`);
    await live.connect();
    const producer = createProducer({
      producerIndex: 0, producerCount: 1, targets: hubs.map((h) => h.url), localAddresses: [], apiKey, uids, rate: o.rate, durationSec: liveSec,
      batchSize: 1, maxInFlight: 256, connectionsPerTarget: 16, msgBytes: o.msgBytes, maxSeq, t0, tickMs: 500,
    });
    const producing = producer.run();
    const publishStart = nowMs();

    const hubSampler = sampler;
    let phase = "before", drainProgress: DrainProgress = { received: 0, duplicates: 0, outOfOrder: 0, connected: false }, lastReceived = 0;
    receiver.on("tick", (m) => (drainProgress = m.progress));
    const l = live;
    ticker = setInterval(() => {
      const h = l.takeRecent(), d = drainProgress, hubNow = hubSampler.latest()[0]?.sample;
      deps.progress?.(
        `[backlog] ${sec()}s ${phase} | big ${d.received}/${o.backlog} (+${d.received - lastReceived}/s) dup ${d.duplicates} ooo ${d.outOfOrder}` +
          ` | others recv ${l.stats().received} p50 ${(percentile(h, 50) / 1000).toFixed(1)}ms p99 ${(percentile(h, 99) / 1000).toFixed(1)}ms` +
          ` | hub ${Math.round(hubNow?.cpuPct ?? 0)}% ${Math.round(hubNow?.rssMB ?? 0)}MB`,
      );
      lastReceived = d.received;
    }, 1000);
    await sleep(o.beforeSec * 1000);

    phase = "drain";
    log(`connecting ${bigUid}…`);
    receiver.send({ type: "connect" });
    let drainStart = nowMs(), drainEnd: number, timedOut = false;
    try {
      drainStart = (await receiver.next("connected", o.connectTimeoutMs + 5000)).connectStartAt;
      drainEnd = (await receiver.next("complete", Math.max(1, drainStart + o.drainTimeoutSec * 1000 - nowMs()))).at;
    } catch (err) {
      timedOut = true;
      drainEnd = nowMs();
      log(`drain incomplete: ${(err as Error).message}`);
    }
    phase = "settle";
    await sleep(o.settleSec * 1000);

    phase = "finish";
    producer.stop();
    const producerFinal = await producing;
    const accepted = decodeBitmap(producerFinal.acceptedBitmap, maxSeq);
    const graceEnd = nowMs() + 10_000;
    while (live.lost(accepted).count > 0 && nowMs() < graceEnd) await sleep(100);
    receiver.send({ type: "finish" });
    const drain = (await receiver.next("final", 15_000)).final;
    const end = nowMs();
    clearInterval(ticker);
    const othersLost = live.lost(accepted);
    live.close();
    return {
      t0, hubUrl: hub.url, fill, publishStart, drainStart, drainEnd, end, timedOut, drain, producer: producerFinal, othersLost,
      live: live.stats(), receipts: live.receipts, hubSamples: sampler.stop(), generatorSamples: generatorSampler.stop(), hubMetrics: await scraper.stop(),
    };
  } finally {
    clearInterval(ticker);
    sampler?.stop();
    generatorSampler?.stop();
    await scraper?.stop();
    await stop();
    unregister?.();
  }
}
