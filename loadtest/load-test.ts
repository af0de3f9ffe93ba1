/**
 * Programmatic entry: runs the hub scenario (and/or the baseline) with the given options, writes
 * the JSON + HTML reports, and returns the result. Used by main.ts and test/loadtest-small.test.ts.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { launchBaselines } from "./baseline-launcher.ts";
import type { CleanupRegistry } from "./cleanup-registry.ts";
import { createDbSampler, type DbSampler } from "./db-sampler.ts";
import type { LoadTestOptions } from "./cli-options.ts";
import { runGenerator, type ProgressSnapshot } from "./generator.ts";
import { launchHubs } from "./hub-launcher.ts";
import type { LaunchedTargets } from "./launched-targets.ts";
import { launchNginx } from "./nginx-launcher.ts";
import { childPids, type SampledProcess } from "./process-sampler.ts";
import { buildResult, writeJsonReport, type LoadTestResult } from "./report-json.ts";
import { writeHtmlReport } from "./report-html.ts";
import { prepareRunDirs } from "./run-dirs.ts";
import { buildStorageReport } from "./storage-summary.ts";
import { summarizeRun, type ScenarioSummary, type TargetInfo } from "./summary.ts";
import type { NginxProcess } from "./support/nginx-process.ts";

export interface LoadTestDeps {
  cleanup?: CleanupRegistry;
  onProgress?: (p: ProgressSnapshot) => void;
  log?: (line: string) => void;
}

export interface LoadTestOutcome {
  result: LoadTestResult;
  files: { json: string; html: string } | null;
}

async function runScenario(kind: "hub" | "baseline", o: LoadTestOptions, ctx: { runId: string; logDir: string; deps: LoadTestDeps }): Promise<ScenarioSummary> {
  const log = ctx.deps.log ?? (() => undefined);
  const external = kind === "hub" && o.targets.length > 0;
  const secrets = external ? { apiKey: o.apiKey, jwtSecret: o.jwtSecret } : { apiKey: `lt-key-${randomBytes(8).toString("hex")}`, jwtSecret: randomBytes(24).toString("hex") };
  const instances = external ? o.targets.length : o.targets.length > 0 ? o.targets.length : o.instances;
  let launched: LaunchedTargets | undefined;
  let nginx: NginxProcess | undefined;
  let dbSampler: DbSampler | undefined;
  const stop = async () => {
    await dbSampler?.stop();
    await nginx?.stop(10_000);
    await launched?.stop();
  };
  const unregister = ctx.deps.cleanup?.add(stop);
  try {
    let urls = o.targets;
    let servers: SampledProcess[] = o.serverPids.map((pid, i) => ({ label: `server-${i}`, pid }));
    if (!external) {
      log(`starting ${instances} ${kind} instance(s)…`);
      const common = {
        logDir: ctx.logDir, runId: ctx.runId, instances, redisUrl: o.redisUrl, forceRedis: o.forceRedis, readyTimeoutMs: 60_000, ...secrets,
      };
      launched = kind === "hub" ? await launchHubs({ ...common, databaseAdminUrl: o.databaseAdminUrl, hubEnv: o.hubEnv }) : await launchBaselines(common);
      urls = launched.services.map((s) => s.url);
      servers = launched.services.map((s) => ({ label: s.label, pid: s.pid }));
      if (o.nginx) {
        nginx = await launchNginx({ logDir: ctx.logDir, upstreams: launched.services, readyTimeoutMs: 30_000 });
        urls = [nginx.url];
        servers.push({ label: "nginx", pid: nginx.pid });
        (await childPids(nginx.pid)).forEach((pid, i) => servers.push({ label: `nginx-worker-${i}`, pid }));
      }
    }
    const target: TargetInfo = { kind: external ? "external" : kind, instances, nginx: o.nginx, urls };
    log(`${kind}: ${o.clients} clients → ${urls.join(", ")}`);
    if (kind === "hub" && o.sampleDb && launched?.databaseUrl) {
      dbSampler = createDbSampler({ url: launched.databaseUrl, intervalMs: o.sampleDbIntervalSec * 1000 });
      dbSampler.start();
    }
    const raw = await runGenerator({
      label: kind,
      runId: `${ctx.runId}${kind === "baseline" ? "b" : ""}`,
      clientUrls: urls,
      producerUrls: urls,
      sourceAddresses: o.sourceAddresses >= 0 ? o.sourceAddresses : o.nginx ? 250 : 0,
      clients: o.clients,
      latePercent: o.latePercent,
      rate: o.rate,
      durationSec: o.durationSec,
      batchSize: o.batchSize,
      graceSec: o.graceSec,
      connectRatePerSec: o.connectRatePerSec,
      connectTimeoutMs: o.connectTimeoutMs,
      workers: o.workers > 0 ? o.workers : Math.ceil(o.clients / 10_000),
      producers: o.producers > 0 ? o.producers : Math.min(4, Math.ceil(o.rate / (o.batchSize > 1 ? 20_000 : 3_000))),
      maxInFlight: o.maxInFlight,
      connectionsPerTarget: o.connectionsPerTarget,
      msgBytes: o.msgBytes,
      ...secrets,
      servers,
      metricsTargets: launched ? launched.services.map((x) => ({ label: x.label, url: x.url })) : urls.map((url, i) => ({ label: `server-${i}`, url })),
      ...(ctx.deps.onProgress ? { onProgress: ctx.deps.onProgress } : {}),
    });
    const summary = summarizeRun(raw, target, { backlogExpected: kind === "hub" });
    if (!dbSampler) return summary;
    const outcome = await dbSampler.stop();
    dbSampler = undefined;
    return { ...summary, storage: buildStorageReport({ outcome, t0: raw.t0, intervalSec: o.sampleDbIntervalSec, processes: raw.processes }) };
  } finally {
    await stop();
    unregister?.();
  }
}

export async function runLoadTest(o: LoadTestOptions, deps: LoadTestDeps = {}): Promise<LoadTestOutcome> {
  const { startedAt, runId, name, outDir, logDir } = await prepareRunDirs("run", o);
  const ctx = { runId, logDir, deps };
  const hub = o.baseline === "only" ? undefined : await runScenario("hub", o, ctx);
  const baseline = o.baseline === "off" ? undefined : await runScenario("baseline", o, ctx);
  const result = buildResult({ name, options: o, startedAt, ...(hub ? { hub } : {}), ...(baseline ? { baseline } : {}) });
  if (!outDir) return { result, files: null };
  const files = { json: join(outDir, `${name}.json`), html: join(outDir, `${name}.html`) };
  await writeJsonReport(files.json, result);
  await writeHtmlReport(files.html, result);
  return { result, files };
}
