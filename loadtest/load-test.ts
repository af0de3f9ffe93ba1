/**
 * Programmatic entry: runs the hub scenario (and/or the baseline), or the hub at several instance
 * counts (--compare-instances), with the run's own redis-server if asked, writes the JSON + HTML
 * reports, and returns the result. Used by main.ts and test/loadtest-small.test.ts.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { CleanupRegistry } from "./cleanup-registry.ts";
import type { LoadTestOptions } from "./cli-options.ts";
import type { ProgressSnapshot } from "./generator.ts";
import { launchRedisServer, type RedisServerProcess } from "./redis-server-launcher.ts";
import { buildResult, writeJsonReport, type LoadTestResult } from "./report-json.ts";
import { writeHtmlReport } from "./report-html.ts";
import { prepareRunDirs } from "./run-dirs.ts";
import { runScenario, type ScenarioContext } from "./scenario.ts";
import type { ScenarioSummary } from "./summary.ts";

export interface LoadTestDeps {
  cleanup?: CleanupRegistry;
  onProgress?: (p: ProgressSnapshot) => void;
  log?: (line: string) => void;
}

export interface LoadTestOutcome {
  result: LoadTestResult;
  files: { json: string; html: string } | null;
}

interface Runs {
  hub?: ScenarioSummary;
  baseline?: ScenarioSummary;
  instanceRuns?: ScenarioSummary[];
}

async function runAll(o: LoadTestOptions, ctx: Omit<ScenarioContext, "label">): Promise<Runs> {
  if (o.compareInstances.length > 0) {
    const instanceRuns: ScenarioSummary[] = [];
    for (const n of o.compareInstances) {
      const logDir = join(ctx.logDir, `instances-${n}`);
      await mkdir(logDir, { recursive: true });
      // Redis at every count, one instance too, so every count runs the same code path
      instanceRuns.push(await runScenario("hub", { ...o, instances: n, forceRedis: true }, { ...ctx, logDir, runId: `${ctx.runId}i${n}`, label: `hub×${n}` }));
    }
    return { instanceRuns };
  }
  const hub = o.baseline === "only" ? undefined : await runScenario("hub", o, { ...ctx, label: "hub" });
  const baseline = o.baseline === "off" ? undefined : await runScenario("baseline", o, { ...ctx, runId: `${ctx.runId}b`, label: "baseline" });
  return { ...(hub ? { hub } : {}), ...(baseline ? { baseline } : {}) };
}

export async function runLoadTest(options: LoadTestOptions, deps: LoadTestDeps = {}): Promise<LoadTestOutcome> {
  const { startedAt, runId, name, outDir, logDir } = await prepareRunDirs("run", options);
  let redisServer: RedisServerProcess | undefined;
  const stopRedis = async () => {
    await redisServer?.stop();
    redisServer = undefined;
  };
  const unregister = deps.cleanup?.add(stopRedis);
  let runs: Runs;
  try {
    let o = options;
    if (o.redisServer) {
      deps.log?.("starting a redis-server for this run…");
      redisServer = await launchRedisServer({ logDir, readyTimeoutMs: 15_000 });
      o = { ...o, redisUrl: redisServer.url, forceRedis: true };
    }
    runs = await runAll(o, {
      runId, logDir,
      ...(redisServer ? { redisServerPid: redisServer.pid } : {}),
      ...(deps.cleanup ? { cleanup: deps.cleanup } : {}),
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      ...(deps.log ? { log: deps.log } : {}),
    });
  } finally {
    await stopRedis();
    unregister?.();
  }
  const result = buildResult({ name, options, startedAt, ...runs });
  if (!outDir) return { result, files: null };
  const files = { json: join(outDir, `${name}.json`), html: join(outDir, `${name}.html`) };
  await writeJsonReport(files.json, result);
  await writeHtmlReport(files.html, result);
  return { result, files };
}
