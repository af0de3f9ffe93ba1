/** The cost figures as the summary lines on stdout (main.ts). Pure. */
import type { CostGroup, ScenarioCost } from "./cost-summary.ts";
import type { InstanceComparisonRow } from "./instance-comparison.ts";
import type { PhaseTiming } from "./phase-timings.ts";

const n = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? "—" : String(Number(v.toFixed(digits))));

const SHARED_NOTE: Record<string, string> = { "postgres-background": "shared by every database of the server" };

function groupText(label: string, g: CostGroup): string {
  const note = SHARED_NOTE[g.group];
  const name = g.group === "servers" ? `${label} servers` : g.group;
  const per = g.msPerMessage === null ? "" : ` = ${n(g.msPerMessage, 4)} ms/msg`;
  return `${name} ${n(g.cpuSec, 2)} s${per} (${g.cpuPct}% of a core, ${g.processes} proc${note ? `; ${note}` : ""})`;
}

export function formatCost(label: string, c: ScenarioCost): string[] {
  const lines = [
    `${label} cost over ${c.window.seconds} s (publishing start ${c.window.from} s → end of grace ${c.window.to} s), ${c.delivered} delivered:`,
    `  CPU (/proc): ${c.groups.map((g) => groupText(label, g)).join("; ") || "nothing measured"}`,
  ];
  const r = c.redis;
  if (r && "unavailable" in r) lines.push(`  redis: unavailable (${r.unavailable})`);
  else if (r) {
    const top = r.commands.slice(0, 8).map((x) => `${x.command} ${n(x.perMessage)}`).join(", ");
    const where = r.dedicated ? "this run's redis-server" : `${r.url}, shared: other clients' commands count too`;
    lines.push(`  redis commands (${where}): ${r.totalCalls} = ${n(r.callsPerMessage)}/msg, ${n(r.usecPerMessage, 1)} µs/msg executing${top ? `; per msg: ${top}` : ""}`);
  }
  const p = c.pgStatements;
  if (p && "unavailable" in p) lines.push(`  pg_stat_statements: ${p.unavailable}`);
  else if (p) {
    lines.push(`  pg_stat_statements: ${p.statements} statements, ${p.totalCalls} top-level calls, ${n(p.totalMs, 1)} ms = ${n(p.msPerMessage, 4)} ms/msg; top by total time:`);
    lines.push(`    ${"calls".padStart(8)} ${"total ms".padStart(10)} ${"ms/call".padStart(9)} ${"rows".padStart(8)} ${"µs/row".padStart(8)}  query`);
    for (const s of p.top.slice(0, 8)) {
      lines.push(`    ${String(s.calls).padStart(8)} ${n(s.totalMs, 1).padStart(10)} ${n(s.msPerCall, 3).padStart(9)} ${String(s.rows).padStart(8)} ${n(s.usPerRow, 1).padStart(8)}  ${s.toplevel ? "" : "(nested) "}${s.query.slice(0, 90)}`);
    }
  }
  for (const problem of c.problems) lines.push(`  note: ${problem}`);
  return lines;
}

export function formatPhases(label: string, phases: PhaseTiming[]): string[] {
  if (phases.length === 0) return [];
  return [`${label} phases (its /metrics pushhub_phase_seconds, summed over instances; p50/p99 from buckets): ${phases.map((p) => `${p.phase} n=${p.count} p50 ${n(p.p50Ms)} p99 ${n(p.p99Ms)} mean ${n(p.meanMs)} ms`).join("; ")}`];
}

export function formatComparison(rows: InstanceComparisonRow[]): string[] {
  const head = ["instances", "delivered/s", "×", "hub CPU s", "hub CPU ms/msg", "×", "redis cmds/msg", "×", "p99 ms", "lost"];
  const body = rows.map((r) => [
    String(r.instances), n(r.deliveredPerSec, 1), n(r.ratios.deliveredPerSec), n(r.serverCpuSec, 2), n(r.serverMsPerMessage, 4), n(r.ratios.serverMsPerMessage),
    n(r.redisCallsPerMessage), n(r.ratios.redisCallsPerMessage), n(r.latencyP99Ms, 1), String(r.lost),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join("  ");
  return [`by instance count (× = ÷ the ${rows[0]?.instances ?? 1}-instance run; CPU summed over instances):`, line(head), ...body.map(line)];
}
