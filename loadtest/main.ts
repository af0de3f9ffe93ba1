/** CLI: `npm run loadtest -- --clients 1000 --rate 500 --duration 20 [--baseline] …` (see --help). */
import { parseCliOptions, usage } from "./cli-options.ts";
import { runLoadTest } from "./load-test.ts";
import { createStatusLine, formatProgress } from "./progress-line.ts";
import { runCli } from "./run-cli.ts";
import { formatStorageTable } from "./storage-summary.ts";
import type { ScenarioSummary } from "./summary.ts";

function headline(s: ScenarioSummary): string {
  const m = s.messages, l = s.latencyMs;
  return (
    `${s.label}: accepted ${m.accepted}/${m.sent} (${s.throughput.acceptedPerSec}/s), received ${m.received} (${s.throughput.deliveredPerSec}/s), ` +
    `lost ${m.lost}, dup ${m.duplicates}, latency p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} ms, ` +
    `server CPU ${s.serversTotal.cpuMeanPct}% RSS ${s.serversTotal.rssMaxMB} MB, connect errors ${s.clients.connectErrors}`
  );
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
    for (const s of [result.hub, result.baseline]) if (s) console.log(headline(s));
    if (result.ratios) {
      const r = result.ratios;
      console.log(`hub ÷ baseline: delivered/s ${r.deliveredPerSec}, p50 ${r.latencyP50}, p99 ${r.latencyP99}, CPU ${r.serverCpuMean}, RSS ${r.serverRssMax}`);
    }
    if (result.hub?.storage) console.log(formatStorageTable(result.hub.storage));
    for (const w of [...(result.hub?.warnings ?? []), ...(result.baseline?.warnings ?? [])]) console.log(`warning: ${w}`);
    if (files) console.log(`report: ${files.html}\nresult: ${files.json}`);
    return result.ok || !options.failOnLoss ? 0 : 1;
  },
});
