/** The backlog scenario's text summary, and its JSON + self-contained HTML files. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BacklogResult } from "./backlog-result.ts";
import type { LatencySummary } from "./stats.ts";
import { escapeXml as esc, lineChart, type LineSeries } from "./svg-charts.ts";

const lat = (l: LatencySummary) => `p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} ms (${l.count} msgs)`;

export function formatBacklogSummary(r: BacklogResult): string[] {
  const d = r.drain, o = r.others, f = r.fill;
  const hub = (xs: BacklogResult["hub"]["before"]) => xs.map((x) => `${x.label} CPU ${x.cpuMeanPct}% (max ${x.cpuMaxPct}%) RSS max ${x.rssMaxMB} MB`).join(", ");
  return [
    `fill: ${f.stored} messages in ${f.seconds} s (${f.perSec}/s, ${f.requests} requests, ${f.retries} retries, HTTP p50 ${f.httpLatencyMs.p50} p99 ${f.httpLatencyMs.p99} ms)`,
    `drain: ${d.completed ? "complete" : "INCOMPLETE"} — ${d.received}/${d.n} in ${d.drainSec} s from connect (${d.drainPerSec} msgs/s); connect ${d.connectMs} ms, first message after ${d.firstMessageMs} ms`,
    `drain order: missing ${d.missing}, out of order ${d.outOfOrder}, duplicates ${d.duplicates}, invalid ${d.invalid}, redelivered (attempt > 1) ${d.redelivered}, acks sent ${d.acksSent}, disconnects ${d.disconnects}`,
    `drain events (asked for ${r.options.clientProtocol}): ${d.deliveries.messageEvents} message, ${d.deliveries.frames} messages frames carrying ${d.deliveries.framedMessages}${d.deliveries.malformedFrames > 0 ? `, ${d.deliveries.malformedFrames} malformed frames` : ""}`,
    `others: ${o.users} users, accepted ${o.accepted}/${o.sent}, received ${o.received}, lost ${o.lost}, dup ${o.duplicates}, misrouted ${o.misrouted}`,
    `others latency before: ${lat(o.latencyMs.before)}`,
    `others latency during: ${lat(o.latencyMs.during)}`,
    `others latency after:  ${lat(o.latencyMs.after)}`,
    `hub before: ${hub(r.hub.before)}; event-loop lag p99 worst ${r.hub.eventLoopLagP99Ms.before} ms`,
    `hub during: ${hub(r.hub.during)}; event-loop lag p99 worst ${r.hub.eventLoopLagP99Ms.during} ms`,
    `generator during: ${r.generator.during.map((x) => `${x.label} CPU ${x.cpuMeanPct}%`).join(", ")}`,
    ...r.warnings.map((w) => `warning: ${w}`),
    ...r.failures.map((x) => `FAIL: ${x}`),
  ];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#7f7f7f"];

export function renderBacklogHtml(r: BacklogResult): string {
  const ph = r.phases;
  const marks = (ys: number[]): LineSeries[] => {
    const lo = Math.min(...ys.filter((y) => y > 0), 1), hi = Math.max(...ys, 1);
    return [["drain start", ph.drainStart], ["drain end", ph.drainEnd]].map(([name, x]) => ({ name: name as string, color: COLORS[4] as string, dashed: true, points: [[x as number, lo], [x as number, hi]] }));
  };
  // per-second counts are drawn at the middle of their second
  const drainPts = r.drain.perSecond.map((v, i) => [i + 0.5, v] as [number, number]);
  const b = r.others.bySecond;
  const charts = [
    lineChart({ title: "Big uid: first receipts per second", xLabel: "seconds since start", yLabel: "messages / s", series: [
      { name: "big uid", color: COLORS[0] as string, points: drainPts }, ...marks(r.drain.perSecond)] }),
    lineChart({ title: "Other users: latency by publish second (publish → first receipt)", xLabel: "seconds since start", yLabel: "ms (log)", logY: true, series: [
      { name: "p50", color: COLORS[0] as string, points: b.second.map((s, i) => [s + 0.5, b.p50Ms[i] ?? 0]) },
      { name: "p99", color: COLORS[1] as string, points: b.second.map((s, i) => [s + 0.5, b.p99Ms[i] ?? 0]) }, ...marks([...b.p50Ms, ...b.p99Ms])] }),
    lineChart({ title: "Hub CPU", xLabel: "seconds since start", yLabel: "% of one core", series: r.hub.series.map((p, i) => ({ name: p.label, color: COLORS[i % 4] as string, points: p.samples.map((x) => [x.at, x.cpuPct]) })) }),
    lineChart({ title: "Hub RSS", xLabel: "seconds since start", yLabel: "MB", series: r.hub.series.map((p, i) => ({ name: p.label, color: COLORS[i % 4] as string, points: p.samples.map((x) => [x.at, x.rssMB]) })) }),
  ];
  const o = r.options;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>push-hub backlog drain — ${esc(r.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px;color:#222}li{margin:4px 0}figure{margin:16px 0}
.ok{color:#207520;font-weight:600}.bad{color:#b00020;font-weight:600}code{font-size:12px}</style></head><body>
<h1>push-hub backlog drain — ${esc(r.name)}</h1>
<p>${esc(r.startedAt)} → ${esc(r.finishedAt)} · ${r.machine.cpus} × ${esc(r.machine.cpuModel)}, Node ${esc(r.machine.node)}</p>
<p>${o.backlog} messages stored for one offline uid; ${o.others} other users at ${o.rate} msgs/s; big uid connects after ${o.beforeSec} s; drain timeout ${o.drainTimeoutSec} s.
Phases (s since start): live traffic from ${ph.publishStart}, drain ${ph.drainStart}–${ph.drainEnd}, end ${ph.end}.</p>
<p class="${r.ok ? "ok" : "bad"}">${r.ok ? "every backlog message arrived, in order; no live message lost" : esc(r.failures.join("; "))}</p>
<ul>${formatBacklogSummary(r).map((l) => `<li><code>${esc(l)}</code></li>`).join("")}</ul>
${charts.map((svg) => `<figure>${svg}</figure>`).join("\n")}
<h3>errors (sample)</h3><ul>${[...r.drain.errorSample, ...r.others.errorSample].map((x) => `<li><code>${esc(x)}</code></li>`).join("") || "<li>none</li>"}</ul>
</body></html>
`;
}

export async function writeBacklogReports(outDir: string, r: BacklogResult): Promise<{ json: string; html: string }> {
  await mkdir(outDir, { recursive: true });
  const files = { json: join(outDir, `${r.name}.json`), html: join(outDir, `${r.name}.html`) };
  await writeFile(files.json, JSON.stringify(r, null, 2) + "\n");
  await writeFile(files.html, renderBacklogHtml(r));
  return files;
}
