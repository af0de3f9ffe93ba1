/** The HTML report's cost sections: CPU per group, Redis commands, statements, phases, instance counts. */
import type { ScenarioCost } from "./cost-summary.ts";
import type { InstanceComparisonRow } from "./instance-comparison.ts";
import type { PhaseTiming } from "./phase-timings.ts";
import { escapeXml as esc } from "./svg-charts.ts";

export const cell = (v: unknown) => `<td>${esc(v === null || v === undefined ? "—" : String(v))}</td>`;

const table = (head: string[], rows: unknown[][]) =>
  `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${rows.map((r) => `<tr><th>${esc(String(r[0]))}</th>${r.slice(1).map(cell).join("")}</tr>`).join("")}</table>`;

export function costSection(c: ScenarioCost): string {
  const parts = [
    `<h3>cost over publishing + grace (${c.window.from}–${c.window.to} s, ${c.window.seconds} s), ${c.delivered} delivered</h3>`,
    table(["CPU from /proc", "processes", "CPU s", "% of a core", "ms per delivered msg"], c.groups.map((g) => [g.group, g.processes, g.cpuSec, g.cpuPct, g.msPerMessage])),
  ];
  const r = c.redis;
  if (r && "unavailable" in r) parts.push(`<p>Redis: unavailable (${esc(r.unavailable)})</p>`);
  else if (r) {
    parts.push(`<p>Redis commands (INFO commandstats after − before, the probe's own INFO left out; ${r.dedicated ? "this run's own redis-server" : `${esc(r.url)}, shared: other clients' commands count too`}): ${r.totalCalls} = <b>${r.callsPerMessage ?? "—"} per message</b>, ${r.usecPerMessage ?? "—"} µs per message executing.</p>`);
    parts.push(table(["command", "calls", "per message", "µs per call"], r.commands.map((x) => [x.command, x.calls, x.perMessage, x.usecPerCall])));
  }
  const p = c.pgStatements;
  if (p && "unavailable" in p) parts.push(`<p>${esc(p.unavailable)}</p>`);
  else if (p) {
    parts.push(`<p>pg_stat_statements (this database, reset as publishing started): ${p.statements} statements, ${p.totalCalls} top-level calls, ${p.totalMs} ms = ${p.msPerMessage ?? "—"} ms per message.</p>`);
    parts.push(
      `<table><tr><th>query</th><th>calls</th><th>total ms</th><th>ms/call</th><th>rows</th><th>µs/row</th></tr>${p.top
        .map((s) => `<tr><th><code>${s.toplevel ? "" : "(nested) "}${esc(s.query)}</code></th>${[s.calls, s.totalMs, s.msPerCall, s.rows, s.usPerRow].map(cell).join("")}</tr>`)
        .join("")}</table>`,
    );
  }
  if (c.problems.length > 0) parts.push(`<ul>${c.problems.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>`);
  return parts.join("\n");
}

export function phasesSection(phases: PhaseTiming[]): string {
  if (phases.length === 0) return "";
  return `<h3>phases (the hub's pushhub_phase_seconds over the run, summed over instances; p50/p99 estimated from buckets)</h3>
${table(["phase", "count", "p50 ms", "p99 ms", "mean ms"], phases.map((x) => [x.phase, x.count, x.p50Ms, x.p99Ms, x.meanMs]))}`;
}

export function comparisonSection(rows: InstanceComparisonRow[]): string {
  return `<h2>by instance count (ratios ÷ the ${rows[0]?.instances ?? 1}-instance run)</h2>
${table(
  ["instances", "delivered/s", "×", "hub CPU s (sum)", "hub CPU ms/msg", "×", "Redis commands/msg", "×", "p99 ms", "lost"],
  rows.map((x) => [x.instances, x.deliveredPerSec, x.ratios.deliveredPerSec, x.serverCpuSec, x.serverMsPerMessage, x.ratios.serverMsPerMessage, x.redisCallsPerMessage, x.ratios.redisCallsPerMessage, x.latencyP99Ms, x.lost]),
)}`;
}
