/**
 * One scenario of an invocation: start the hubs (fresh database) or baselines, nginx in front if
 * asked, CPU hogs beside them if asked; run the generator with the measurement window hooked in;
 * stop everything; return the summary with its cost figures.
 */
import { formatWebhooks, startWebhookSink, type WebhookSink } from "./webhook-sink.ts";
import { randomBytes } from "node:crypto";
import { launchBaselines } from "./baseline-launcher.ts";
import type { CleanupRegistry } from "./cleanup-registry.ts";
import type { LoadTestOptions } from "./cli-options.ts";
import { GROUP } from "./cost-figures.ts";
import { buildCost } from "./cost-summary.ts";
import { startCpuHogs, type CpuHogs } from "./cpu-hog.ts";
import type { WatchedPid } from "./cpu-window.ts";
import { createDbSampler, type DbSampler } from "./db-sampler.ts";
import { runGenerator, type ProgressSnapshot } from "./generator.ts";
import { launchHubs } from "./hub-launcher.ts";
import { liveHeapOf, summarizeLiveHeap } from "./live-heap.ts";
import type { LaunchedTargets } from "./launched-targets.ts";
import { createMeasurement, type MeasurementPlan } from "./measurement.ts";
import { launchNginx } from "./nginx-launcher.ts";
import { formatTracing, startOtlpSink, type OtlpSink } from "./otlp-sink.ts";
import { preparePgStatements } from "./pg-statements.ts";
import { childPids, type SampledProcess } from "./process-sampler.ts";
import { buildStorageReport } from "./storage-summary.ts";
import { summarizeRun, type ScenarioSummary, type TargetInfo } from "./summary.ts";
import type { NginxProcess } from "./support/nginx-process.ts";

export interface ScenarioContext {
  runId: string;
  logDir: string;
  /** names the scenario in reports: "hub", "baseline", "hub×2" */
  label: string;
  /** the run's own redis-server (--redis-server) */
  redisServerPid?: number;
  cleanup?: CleanupRegistry;
  onProgress?: (p: ProgressSnapshot) => void;
  log?: (line: string) => void;
}

/** How long a CPU hog may live if nobody stops it: the generator's own bound plus start-up. */
const hogLifetimeSec = (o: LoadTestOptions) => (o.connectTimeoutMs * 2) / 1000 + (2 * o.clients) / o.connectRatePerSec + o.durationSec + o.graceSec + 600;

export async function runScenario(kind: "hub" | "baseline", o: LoadTestOptions, ctx: ScenarioContext): Promise<ScenarioSummary> {
  const log = ctx.log ?? (() => undefined);
  const external = kind === "hub" && o.targets.length > 0;
  const secrets = external ? { apiKey: o.apiKey, jwtSecret: o.jwtSecret } : { apiKey: `lt-key-${randomBytes(8).toString("hex")}`, jwtSecret: randomBytes(24).toString("hex") };
  const instances = o.targets.length > 0 ? o.targets.length : o.instances;
  const usesRedis = instances > 1 || o.forceRedis;
  let launched: LaunchedTargets | undefined;
  let nginx: NginxProcess | undefined;
  let dbSampler: DbSampler | undefined;
  let hogs: CpuHogs | undefined;
  let measurement: ReturnType<typeof createMeasurement> | undefined;
  let sink: OtlpSink | undefined;
  let webhookSink: WebhookSink | undefined;
  let delivered = 0;
  const stop = async () => {
    await measurement?.close();
    await dbSampler?.stop();
    await nginx?.stop(10_000);
    await launched?.stop();
    await hogs?.stop();
    await sink?.close(); // after the hubs: they export their last spans as they stop
    await webhookSink?.close();
  };
  const unregister = ctx.cleanup?.add(stop);
  try {
    if (o.cpuHogs > 0) {
      log(`starting ${o.cpuHogs} CPU hog(s)…`);
      hogs = await startCpuHogs({ count: o.cpuHogs, maxSeconds: hogLifetimeSec(o) });
    }
    let urls = o.targets;
    let servers: SampledProcess[] = o.serverPids.map((pid, i) => ({ label: `server-${i}`, pid }));
    const watched: WatchedPid[] = servers.map((s) => ({ ...s, group: GROUP.servers }));
    let database: { name: string; url: string; statementsUnavailable: string | null } | undefined;
    if (!external) {
      log(`starting ${instances} ${kind} instance(s)…`);
      const common = {
        logDir: ctx.logDir, runId: ctx.runId, instances, redisUrl: o.redisUrl, forceRedis: o.forceRedis, readyTimeoutMs: 60_000, inspect: o.liveHeap, ...secrets,
      };
      const prepareDatabase = async (db: { name: string; url: string }) => {
        database = { ...db, statementsUnavailable: await preparePgStatements({ databaseUrl: db.url, database: db.name, track: o.pgTrack }) };
      };
      if (kind === "hub" && o.tracing) sink = await startOtlpSink();
      const hubEnv = sink ? { ...o.hubEnv, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : o.hubEnv;
      launched = kind === "hub" ? await launchHubs({ ...common, databaseAdminUrl: o.databaseAdminUrl, hubEnv, hubNodeFlags: o.hubNodeFlags, hubDist: o.hubDist, prepareDatabase }) : await launchBaselines(common);
      urls = launched.services.map((s) => s.url);
      if (kind === "hub" && o.webhooks) {
        webhookSink = await startWebhookSink();
        await webhookSink.register(urls[0]!, secrets.apiKey);
      }
      servers = launched.services.map((s) => ({ label: s.label, pid: s.pid }));
      watched.push(...servers.map((s) => ({ ...s, group: GROUP.servers })));
      if (o.nginx) {
        nginx = await launchNginx({ logDir: ctx.logDir, upstreams: launched.services, readyTimeoutMs: 30_000 });
        urls = [nginx.url];
        const workers = (await childPids(nginx.pid)).map((pid, i) => ({ label: `nginx-worker-${i}`, pid }));
        for (const p of [{ label: "nginx", pid: nginx.pid }, ...workers]) {
          servers.push(p);
          watched.push({ ...p, group: GROUP.nginx });
        }
      }
    }
    watched.push(...(hogs?.pids ?? []).map((pid, i) => ({ label: `cpu-hog-${i}`, pid, group: GROUP.cpuHog })));
    const plan: MeasurementPlan = { processes: watched };
    if (usesRedis) plan.redis = { url: o.redisUrl, dedicated: ctx.redisServerPid !== undefined, ...(ctx.redisServerPid ? { pid: ctx.redisServerPid } : {}) };
    if (database) plan.postgres = { adminUrl: o.databaseAdminUrl, database: database.name, databaseUrl: database.url, statementsUnavailable: database.statementsUnavailable };
    measurement = createMeasurement(plan);

    const target: TargetInfo = { kind: external ? "external" : kind, instances, nginx: o.nginx, urls };
    log(`${ctx.label}: ${o.clients} clients → ${urls.join(", ")}`);
    if (kind === "hub" && o.sampleDb && launched?.databaseUrl) {
      dbSampler = createDbSampler({ url: launched.databaseUrl, intervalMs: o.sampleDbIntervalSec * 1000 });
      dbSampler.start();
    }
    // --live-heap: before any client connects, and as publishing starts (every client connected, no message yet).
    const inspectors = o.liveHeap ? (launched?.services ?? []).map((s) => s.inspectorUrl) : [];
    const heapBefore = o.liveHeap ? await liveHeapOf(inspectors) : 0;
    let heapConnected = 0;
    const costWindow = measurement.window;
    const window = o.liveHeap
      ? {
          start: async () => {
            heapConnected = await liveHeapOf(inspectors);
            await costWindow.start();
          },
          end: () => costWindow.end(),
        }
      : costWindow;
    const raw = await runGenerator({
      label: ctx.label,
      runId: ctx.runId,
      clientUrls: urls,
      producerUrls: urls,
      sourceAddresses: o.sourceAddresses >= 0 ? o.sourceAddresses : o.nginx ? 250 : 0,
      clients: o.clients,
      latePercent: o.latePercent,
      rate: o.rate,
      durationSec: o.durationSec,
      batchSize: o.batchSize,
      graceSec: o.graceSec,
      warmupSec: o.warmupSec,
      connectRatePerSec: o.connectRatePerSec,
      connectTimeoutMs: o.connectTimeoutMs,
      workers: o.workers > 0 ? o.workers : Math.ceil(o.clients / 10_000),
      producers: o.producers > 0 ? o.producers : Math.min(4, Math.ceil(o.rate / (o.batchSize > 1 ? 20_000 : 3_000))),
      maxInFlight: o.maxInFlight,
      connectionsPerTarget: o.connectionsPerTarget,
      msgBytes: o.msgBytes,
      clientProtocol: o.clientProtocol,
      ...secrets,
      servers,
      metricsTargets: launched ? launched.services.map((x) => ({ label: x.label, url: x.url })) : urls.map((url, i) => ({ label: `server-${i}`, url })),
      window,
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    });
    let summary = summarizeRun(raw, target, { backlogExpected: kind === "hub" });
    if (o.liveHeap) summary = { ...summary, liveHeap: summarizeLiveHeap(heapBefore, heapConnected, o.clients) };
    delivered = summary.messages.received;
    const measured = measurement.result();
    if (measured) summary = { ...summary, cost: buildCost(measured, { t0: raw.t0, delivered: summary.messages.received }) };
    if (!dbSampler) return summary;
    const outcome = await dbSampler.stop();
    dbSampler = undefined;
    return { ...summary, storage: buildStorageReport({ outcome, t0: raw.t0, intervalSec: o.sampleDbIntervalSec, processes: raw.processes }) };
  } finally {
    await stop();
    if (sink) log(formatTracing(ctx.label, sink.counts(), delivered));
    if (webhookSink) log(formatWebhooks(ctx.label, webhookSink.summary(), delivered));
    unregister?.();
  }
}
