/** Self-contained HTML report (inline CSS + SVG, no scripts, no network). */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { cell, comparisonSection, costSection, phasesSection } from "./report-cost-html.ts";
import type { LoadTestResult } from "./report-json.ts";
import { displayBins, fromSparse } from "./stats.ts";
import type { StorageReport } from "./storage-summary.ts";
import type { ScenarioSummary } from "./summary.ts";
import { escapeXml as esc, histogramChart, lineChart, type LineSeries } from "./svg-charts.ts";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"];

const scenarios = (r: LoadTestResult): ScenarioSummary[] => r.instanceRuns ?? [r.hub, r.baseline].filter((s): s is ScenarioSummary => s !== undefined);
const groupMs = (s: ScenarioSummary, group: string) => s.cost?.groups.find((g) => g.group === group)?.msPerMessage;
// results saved before these fields existed are re-rendered too (render-report.ts)
const d = (s: ScenarioSummary): ScenarioSummary["messages"]["deliveries"] | undefined => s.messages.deliveries;
const redisPerMsg = (s: ScenarioSummary) => (s.cost?.redis && "callsPerMessage" in s.cost.redis ? s.cost.redis.callsPerMessage : undefined);

function summaryRows(r: LoadTestResult): string {
  const runs = scenarios(r);
  const ratios = r.ratios as unknown as Record<string, number | null> | undefined;
  const rows: Array<[string, (s: ScenarioSummary) => unknown, string?]> = [
    ["clients (late / backlog)", (s) => `${s.clients.total} (${s.clients.late})`],
    ["connect errors / disconnects", (s) => `${s.clients.connectErrors} / ${s.clients.disconnects}`],
    ["connect time p50 / p99 ms", (s) => `${s.clients.connectTimeMs.p50} / ${s.clients.connectTimeMs.p99}`],
    ["connect phase s (connects/s)", (s) => `${s.clients.connectPhaseSec} (${s.clients.connectedPerSec})`],
    ["offered / sent / accepted", (s) => `${s.messages.offered} / ${s.messages.sent} / ${s.messages.accepted}`],
    ["rejected / request errors", (s) => `${s.messages.rejected} / ${s.messages.requestErrors}`],
    ["received (unique)", (s) => s.messages.received],
    ["lost", (s) => s.messages.lost],
    ["undeliverable to late clients (no backlog)", (s) => s.messages.lateUndeliverable],
    ["duplicates", (s) => s.messages.duplicates],
    ["accepted msgs/s", (s) => s.throughput.acceptedPerSec, "acceptedPerSec"],
    ["delivered msgs/s (to clients online from the start, while publishing)", (s) => s.throughput.deliveredPerSec, "deliveredPerSec"],
    ["latency p50 ms", (s) => s.latencyMs.p50, "latencyP50"],
    ["latency p95 ms", (s) => s.latencyMs.p95, "latencyP95"],
    ["latency p99 ms", (s) => s.latencyMs.p99, "latencyP99"],
    ["latency max ms", (s) => s.latencyMs.max, "latencyMax"],
    ["backlog latency p50 / p99 ms", (s) => `${s.backlog.latencyMs.p50} / ${s.backlog.latencyMs.p99}`],
    ["backlog drain s", (s) => s.backlog.drainSec],
    ["HTTP publish p50 / p99 ms", (s) => `${s.httpLatencyMs.p50} / ${s.httpLatencyMs.p99}`],
    ["server CPU mean % (sum)", (s) => s.serversTotal.cpuMeanPct, "serverCpuMean"],
    ["server RSS max MB (sum)", (s) => s.serversTotal.rssMaxMB, "serverRssMax"],
    ["server CPU ms per delivered msg (sum; publishing + grace)", (s) => s.cost?.serverMsPerMessage, "serverCpuPerMessage"],
    ["PostgreSQL CPU ms per delivered msg (run's database)", (s) => groupMs(s, "postgres")],
    ["Redis CPU ms per delivered msg", (s) => groupMs(s, "redis")],
    ["Redis commands per delivered msg", (s) => redisPerMsg(s), "redisCallsPerMessage"],
    ["delivery events: message / messages frames (msgs in frames)", (s) => (d(s) ? `${d(s)?.messageEvents} / ${d(s)?.frames} (${d(s)?.framedMessages})` : undefined)],
  ];
  const head = `<tr><th>metric</th>${runs.map((s) => `<th>${esc(s.label)}</th>`).join("")}${ratios ? "<th>hub ÷ baseline</th>" : ""}</tr>`;
  const body = rows
    .map(([name, f, key]) => `<tr><th>${esc(name)}</th>${runs.map((s) => cell(f(s))).join("")}${ratios ? cell(key ? ratios[key] : "") : ""}</tr>`)
    .join("\n");
  return `<table>${head}${body}</table>`;
}

function processTable(s: ScenarioSummary): string {
  const procs: ScenarioSummary["generator"] = [...s.servers, ...s.generator];
  const rows = procs
    .map((p) => {
      const l = p.eventLoopDelayMs;
      const loop = l ? `${l.p50} / ${l.p99} / ${l.max}` : "—";
      return `<tr><th>${esc(p.label)}</th>${cell(p.pid)}${cell(p.cpuMeanPct)}${cell(p.cpuMaxPct)}${cell(p.rssMeanMB)}${cell(p.rssMaxMB)}${cell(loop)}</tr>`;
    })
    .join("\n");
  return `<table><tr><th>process</th><th>pid</th><th>CPU mean %</th><th>CPU max %</th><th>RSS mean MB</th><th>RSS max MB</th><th>event-loop delay p50/p99/max ms</th></tr>${rows}</table>`;
}

const pts = (s: ScenarioSummary, ys: number[]): Array<[number, number]> => s.series.second.map((x, i) => [x, ys[i] ?? 0]);

function charts(r: LoadTestResult): string {
  const runs = scenarios(r);
  const latency: LineSeries[] = runs.flatMap((s, i) => [
    { name: `${s.label} p50`, color: COLORS[0] as string, points: pts(s, s.series.p50Ms), dashed: i > 0 },
    { name: `${s.label} p99`, color: COLORS[1] as string, points: pts(s, s.series.p99Ms), dashed: i > 0 },
    ...(i === 0 ? [{ name: `${s.label} max`, color: COLORS[7] as string, points: pts(s, s.series.maxMs) }] : []),
  ]);
  const throughput: LineSeries[] = runs.flatMap((s, i) => [
    ...(i === 0 ? [{ name: `${s.label} sent`, color: COLORS[7] as string, points: pts(s, s.series.sent) }] : []),
    { name: `${s.label} accepted`, color: COLORS[0] as string, points: pts(s, s.series.accepted), dashed: i > 0 },
    { name: `${s.label} delivered`, color: COLORS[2] as string, points: pts(s, s.series.delivered), dashed: i > 0 },
    ...(s.series.backlog.some((v) => v > 0) ? [{ name: `${s.label} backlog`, color: COLORS[4] as string, points: pts(s, s.series.backlog), dashed: i > 0 }] : []),
  ]);
  const procSeries = (f: (x: { cpuPct: number; rssMB: number }) => number): LineSeries[] =>
    runs.flatMap((s, i) =>
      s.serverSeries.map((p, j) => ({ name: runs.length > 1 && !p.label.startsWith(s.label) ? `${s.label} ${p.label}` : p.label, color: COLORS[(j + 3 * i) % COLORS.length] as string, points: p.samples.map((x) => [x.at, f(x)] as [number, number]), dashed: i > 0 })),
    );
  const out = [
    lineChart({ title: "End-to-end latency per second (publish → first receipt)", xLabel: "seconds since start", yLabel: "ms (log)", series: latency, logY: true }),
    lineChart({ title: "Throughput", xLabel: "seconds since start", yLabel: "messages / s", series: throughput }),
    ...runs.map((s, i) =>
      histogramChart({ title: `Latency histogram — ${s.label} (${s.latencyMs.count} messages)`, xLabel: "ms (log)", yLabel: "messages", bins: displayBins(fromSparse(s.histogram), 60).map(([a, b, c]) => [a / 1000, b / 1000, c]), color: COLORS[i * 2] as string }),
    ),
    lineChart({ title: "Server CPU", xLabel: "seconds since start", yLabel: "% of one core", series: procSeries((x) => x.cpuPct) }),
    ...(runs.some((s) => s.serverMetrics.some((m) => m.eventLoopLag.length > 0))
      ? [lineChart({
          title: "Server event-loop lag p99 (from its /metrics)", xLabel: "seconds since start", yLabel: "ms",
          series: runs.flatMap((s, i) => s.serverMetrics.map((m, j) => ({ name: m.label, color: COLORS[(j + 3 * i) % COLORS.length] as string, points: m.eventLoopLag.map((x) => [x.at, x.p99Ms] as [number, number]) }))),
        })]
      : []),
    lineChart({ title: "Server RSS", xLabel: "seconds since start", yLabel: "MB", series: procSeries((x) => x.rssMB) }),
    ...(r.hub?.storage ? [storageChart(r.hub.storage)] : []),
  ];
  return out.map((svg) => `<figure>${svg}</figure>`).join("\n");
}

function storageChart(st: StorageReport): string {
  const names = st.rows.map((x) => x.name);
  const series: LineSeries[] = names.map((n, i) => ({
    name: n, color: COLORS[i % COLORS.length] as string,
    points: st.samples.flatMap((x) => (x.tables[n] ? [[x.at, x.tables[n].bytes / 2 ** 20] as [number, number]] : [])),
  }));
  return lineChart({ title: "Table sizes (--sample-db; partitioned tables summed over their partitions)", xLabel: "seconds since start", yLabel: "MB", series });
}

function serverMetricsTable(s: ScenarioSummary): string {
  if (s.serverMetrics.length === 0) return "";
  const names = [...new Set(s.serverMetrics.flatMap((m) => [...Object.keys(m.counterDeltas), ...Object.keys(m.lastGauges)]))].sort();
  const lag = (m: ScenarioSummary["serverMetrics"][number]) => {
    const l = m.eventLoopLag;
    return l.length ? `${Math.max(...l.map((x) => x.p99Ms))} / ${Math.max(...l.map((x) => x.maxMs))}` : "—";
  };
  const head = `<tr><th>from /metrics</th>${s.serverMetrics.map((m) => `<th>${esc(m.label)}</th>`).join("")}</tr>`;
  const lagRow = `<tr><th>event-loop lag worst p99 / max ms</th>${s.serverMetrics.map((m) => cell(lag(m))).join("")}</tr>`;
  const rows = names.map((n) => `<tr><th>${esc(n)}${n.endsWith("_total") ? " (Δ)" : ""}</th>${s.serverMetrics.map((m) => cell(m.counterDeltas[n] ?? m.lastGauges[n])).join("")}</tr>`);
  return `<table>${head}${lagRow}${rows.join("")}</table>`;
}

function details(s: ScenarioSummary): string {
  const list = (xs: string[]) => (xs.length ? `<ul>${xs.map((x) => `<li><code>${esc(x)}</code></li>`).join("")}</ul>` : "<p>none</p>");
  const ph = s.phases;
  return `<h2>${esc(s.label)}: ${esc(s.target.kind)} × ${s.target.instances}${s.target.nginx ? " behind nginx" : ""}</h2>
<p>targets: ${esc(s.target.urls.join(", "))}. Phases (s): connect ${ph.connectStart}, publish ${ph.publishStart}–${ph.publishEnd}, grace from ${ph.graceStart}, end ${ph.end}.</p>
${processTable(s)}
${s.cost ? costSection(s.cost) : ""}
${phasesSection(s.phaseTimings ?? [])}
${serverMetricsTable(s)}
<h3>warnings</h3>${list(s.warnings)}
<h3>lost (sample)</h3>${list(s.lostSample.map((l) => `seq ${l.seq} → ${l.uid}`))}
<h3>errors (sample)</h3>${list(s.errorSample)}`;
}

export function renderHtmlReport(r: LoadTestResult): string {
  const o = r.options;
  const verdict = r.ok ? `<p class="ok">no accepted message lost</p>` : `<p class="bad">LOSS: accepted messages were not received within the grace period</p>`;
  const runs = scenarios(r);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>push-hub load test — ${esc(r.name)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}
th:first-child{text-align:left}tr:nth-child(even){background:#fafafa}figure{margin:16px 0}
.ok{color:#207520;font-weight:600}.bad{color:#b00020;font-weight:600}code{font-size:12px}
</style></head><body>
<h1>push-hub load test — ${esc(r.name)}</h1>
<p>${esc(r.startedAt)} → ${esc(r.finishedAt)} · ${r.machine.cpus} × ${esc(r.machine.cpuModel)}, ${r.machine.memoryGB} GiB, Node ${esc(r.machine.node)}</p>
<p>${o.clients} clients (${o.latePercent}% connect late), ${o.rate} msgs/s for ${o.durationSec} s via ${o.batchSize > 1 ? `batch API (${o.batchSize}/request)` : "single-message API"}, grace ${o.graceSec} s; clients ask for ${esc(o.clientProtocol ?? "message")}${o.cpuHogs ? `; ${o.cpuHogs} CPU hog process(es) busy beside the servers` : ""}${o.redisServer ? "; Redis: this run's own redis-server" : ""}${r.baseline ? "; the baseline is a bare Socket.IO server that emits directly (no persistence, no acks, no backlog: its late clients get nothing, which is not counted as loss)" : ""}.</p>
${verdict}
${r.instanceComparison ? comparisonSection(r.instanceComparison) : ""}
${summaryRows(r)}
${charts(r)}
${runs.map(details).join("\n")}
</body></html>
`;
}

export async function writeHtmlReport(path: string, result: LoadTestResult): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderHtmlReport(result));
}
