/** The topic scenario's text summary, and its JSON file. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LatencySummary } from "./stats.ts";
import type { TopicResult } from "./topic-result.ts";

const lat = (l: LatencySummary) => `p50 ${l.p50} p99 ${l.p99} max ${l.max} ms (${l.count})`;
const n = (v: number | null, unit = "") => (v === null ? "n/a" : `${v.toLocaleString("en-US")}${unit}`);

export function formatTopicSummary(r: TopicResult): string[] {
  const s = r.subscribe, c = r.connect, d = r.direct;
  const lines = [
    `subscribe: ${s.subscribers} subscribers of ${r.topic} in ${s.count} calls (${s.totalSec} s); per call mean ${s.meanMs} ms, p50 ${s.p50Ms} ms, max ${s.maxMs} ms`,
    `connect: ${c.connected}/${c.online} online subscribed clients in ${c.seconds} s (${c.connectErrors} connect errors)`,
  ];
  if (d) {
    lines.push(
      `direct: ${d.users} unsubscribed users at ${d.rate} msgs/s — sent ${d.sent}, accepted ${d.accepted}, received ${d.received}, lost ${d.lost}, dup ${d.duplicates}, misrouted ${d.misrouted}`,
      `direct latency before the publishes: ${lat(d.latencyMs.before)}`,
      `direct latency during fan-out:       ${lat(d.latencyMs.during)}`,
      `direct latency otherwise:            ${lat(d.latencyMs.other)}`,
    );
  }
  for (const p of r.publishes) {
    const z = p.size, q = p.receipts;
    lines.push(
      `publish ${p.index + 1} (id ${p.id}): ${p.recipients} recipients; 202 after ${p.acceptMs} ms; fan-out ${p.fanOutSec === null ? "NOT DONE" : `${p.fanOutSec} s`} → ${n(p.rowsPerSec, " rows/s")}`,
      `  receipts: ${q.received}/${q.expected} online clients (missing ${q.missing}, dup ${q.duplicates}); publish → first receipt ${lat(q.latencyMs)}`,
      `  size: messages +${n(z.growthBytes, " B")} → ${n(z.bytesPerRecipient, " B")} per recipient (mean tuple ${n(z.avgRecipientTupleBytes, " B")}; ${n(z.directRowsDuring)} direct rows in the window); publish row ${n(z.publishRowBytes, " B")} (body ${n(z.publishBodyBytes, " B")} JSON, ${n(z.publishBodyStoredBytes, " B")} stored)`,
    );
    if (p.cpu) lines.push(`  CPU request → done (${p.cpu.windowSec} s): hub ${p.cpu.hubPct}% (${p.cpu.hubSec} s), postgres backends ${p.cpu.postgresPct}% (${p.cpu.postgresSec} s)${p.cpu.problems.length ? ` [${p.cpu.problems.join("; ")}]` : ""}`);
  }
  const e = r.clients.deliveries;
  lines.push(
    `client events (asked for ${r.options.clientProtocol}): ${e.messageEvents} message, ${e.frames} messages frames carrying ${e.framedMessages}, ${e.acksSent} acks; ${r.clients.disconnects} disconnects, ${r.clients.connectedAtEnd} connected at the end`,
    `hub over the run: ${r.hub.whole.map((x) => `CPU mean ${x.cpuMeanPct}% max ${x.cpuMaxPct}%, RSS max ${x.rssMaxMB} MB`).join("; ")}`,
    `generator: ${r.generator.map((x) => `${x.label} CPU ${x.cpuMeanPct}%`).join(", ")}`,
    ...r.targets.map((t) => `target ${t.met === null ? "–" : t.met ? "met" : "MISSED"}: ${t.what} ${t.target}: ${t.value}`),
    ...r.problems.map((x) => `note: ${x}`),
    ...r.clients.errorSample.slice(0, 5).map((x) => `client error (sample): ${x}`),
    ...r.warnings.map((w) => `warning: ${w}`),
    ...r.failures.map((x) => `FAIL: ${x}`),
  );
  return lines;
}

export async function writeTopicResult(outDir: string, r: TopicResult): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${r.name}.json`);
  await writeFile(file, JSON.stringify(r, null, 2) + "\n");
  return file;
}
