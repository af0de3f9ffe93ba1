/** CLI: `npm run loadtest -- --clients 1000 --rate 500 --duration 20 [--baseline] …` (see --help). */
import { parseCliOptions, usage } from "./cli-options.ts";
import { formatComparison, formatCost, formatPhases } from "./cost-text.ts";
import { runLoadTest } from "./load-test.ts";
import { createStatusLine, formatProgress } from "./progress-line.ts";
import { runCli } from "./run-cli.ts";
import { formatStorageTable } from "./storage-summary.ts";
import type { ScenarioSummary } from "./summary.ts";

function headline(s: ScenarioSummary): string {
  const m = s.messages, l = s.latencyMs, d = m.deliveries;
  return (
    `${s.label}: accepted ${m.accepted}/${m.sent} (${s.throughput.acceptedPerSec}/s), received ${m.received} (${s.throughput.deliveredPerSec}/s), ` +
    `lost ${m.lost}, dup ${m.duplicates}, latency${s.config.warmupSec > 0 ? ` (after a ${s.config.warmupSec} s warm-up)` : ""} p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} ms, ` +
    `server CPU ${s.serversTotal.cpuMeanPct}% RSS ${s.serversTotal.rssMaxMB} MB, connect errors ${s.clients.connectErrors}, ` +
    `events: ${d.messageEvents} message, ${d.frames} messages frames (${d.framedMessages} msgs)`
  );
}

function liveHeapLine(s: ScenarioSummary): string[] {
  const h = s.liveHeap;
  if (!h) return [];
  return [`${s.label} live heap after a full GC: ${h.beforeMB} MB before the clients → ${h.connectedMB} MB with ${h.clients} connected = ${h.perConnectionKB} KB per connection`];
}

function scenarioLines(s: ScenarioSummary): string[] {
  return [headline(s), ...liveHeapLine(s), ...(s.cost ? formatCost(s.label, s.cost) : []), ...formatPhases(s.label, s.phaseTimings)];
}

runCli({
  parse: parseCliOptions,
  usage,
  interruptNote: "stopping servers and dropping the run's database",
  async run(options, cleanup) {
    const status = createStatusLine(process.stderr);
    const { result, files } = await runLoadTest(options, {
      cleanup,
      log: (line) => {
        status.done();
        console.error(line);
      },
      ...(options.quiet ? {} : { onProgress: (p) => status.show(formatProgress(p), p.phase === "finish") }),
    });
    status.done();
    const runs = result.instanceRuns ?? [result.hub, result.baseline].filter((s): s is ScenarioSummary => s !== undefined);
    for (const s of runs) for (const line of scenarioLines(s)) console.log(line);
    if (result.ratios) {
      const r = result.ratios;
      console.log(
        `hub ÷ baseline: delivered/s ${r.deliveredPerSec}, p50 ${r.latencyP50}, p99 ${r.latencyP99}, CPU ${r.serverCpuMean}, RSS ${r.serverRssMax}, ` +
          `CPU per delivered message ${r.serverCpuPerMessage}, Redis commands per message ${r.redisCallsPerMessage ?? "—"}` +
          (r.liveHeapPerConnection === null ? "" : `, live heap per connection ${r.liveHeapPerConnection}`),
      );
    }
    if (result.instanceComparison) for (const line of formatComparison(result.instanceComparison)) console.log(line);
    if (result.hub?.storage) console.log(formatStorageTable(result.hub.storage));
    for (const w of runs.flatMap((s) => s.warnings.map((x) => `${s.label}: ${x}`))) console.log(`warning: ${w}`);
    if (files) console.log(`report: ${files.html}\nresult: ${files.json}`);
    return result.ok || !options.failOnLoss ? 0 : 1;
  },
});
