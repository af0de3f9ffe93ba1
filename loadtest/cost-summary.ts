/**
 * A scenario's measured window (measurement.ts) → its cost figures: CPU seconds per process group,
 * each per delivered message; Redis commands per message; the top statements. Pure.
 */
import { groupCpu } from "./cpu-account.ts";
import { cpuPercent, GROUP, msPerMessage, perMessage } from "./cost-figures.ts";
import type { Measured } from "./measurement.ts";
import type { StatementRow } from "./pg-statements.ts";

export interface CostGroup {
  group: string;
  processes: number;
  cpuSec: number;
  /** CPU over the window, % of one core */
  cpuPct: number;
  /** null for the CPU hogs, whose work is not the messages' */
  msPerMessage: number | null;
}

export interface RedisCost {
  url: string;
  dedicated: boolean;
  totalCalls: number;
  callsPerMessage: number | null;
  /** Redis's own execution time of those commands (commandstats usec) per message, µs */
  usecPerMessage: number | null;
  commands: Array<{ command: string; calls: number; perMessage: number | null; usecPerCall: number }>;
}

export interface StatementCost {
  query: string;
  calls: number;
  totalMs: number;
  msPerCall: number;
  rows: number;
  usPerRow: number | null;
  toplevel: boolean;
}

export interface PgStatementsCost {
  /** top statements by total execution time */
  top: StatementCost[];
  /** how many distinct statements there were */
  statements: number;
  /** over top-level statements only, so nested ones (--pg-track all) are not counted twice */
  totalMs: number;
  totalCalls: number;
  msPerMessage: number | null;
}

export interface ScenarioCost {
  /** seconds since the scenario's t0: publishing start → end of grace */
  window: { from: number; to: number; seconds: number };
  /** unique messages received by clients (late ones' backlog included) */
  delivered: number;
  /** in the order servers, nginx, postgres, postgres-background, redis, cpu-hog */
  groups: CostGroup[];
  processes: Array<{ label: string; pid: number; group: string; cpuSec: number }>;
  /** the scenario's servers summed over instances: CPU ms per delivered message */
  serverMsPerMessage: number | null;
  /** null: the scenario does not use Redis */
  redis: RedisCost | { unavailable: string } | null;
  /** null: no database (the baseline) */
  pgStatements: PgStatementsCost | { unavailable: string } | null;
  problems: string[];
}

const r = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

export function statementCosts(rows: StatementRow[], delivered: number, top = 10): PgStatementsCost {
  const topLevel = rows.filter((x) => x.toplevel);
  const totalMs = topLevel.reduce((s, x) => s + x.totalMs, 0);
  return {
    top: [...rows].sort((a, b) => b.totalMs - a.totalMs).slice(0, top).map((x) => ({
      query: x.query.replace(/\s+/g, " ").trim().slice(0, 300),
      calls: x.calls,
      totalMs: r(x.totalMs),
      msPerCall: x.calls > 0 ? r(x.totalMs / x.calls, 4) : 0,
      rows: x.rows,
      usPerRow: x.rows > 0 ? r((x.totalMs * 1000) / x.rows) : null,
      toplevel: x.toplevel,
    })),
    statements: rows.length,
    totalMs: r(totalMs),
    totalCalls: topLevel.reduce((s, x) => s + x.calls, 0),
    msPerMessage: msPerMessage(totalMs / 1000, delivered),
  };
}

const ORDER: string[] = [GROUP.servers, GROUP.nginx, GROUP.postgres, GROUP.postgresBackground, GROUP.redis, GROUP.cpuHog];
const rank = (group: string) => (ORDER.includes(group) ? ORDER.indexOf(group) : ORDER.length);

export function buildCost(m: Measured, o: { t0: number; delivered: number }): ScenarioCost {
  const seconds = (m.cpu.endMs - m.cpu.startMs) / 1000;
  const groups = groupCpu(m.cpu.processes)
    .sort((a, b) => rank(a.group) - rank(b.group))
    .map((g) => ({
      group: g.group, processes: g.processes, cpuSec: r(g.cpuSec, 2), cpuPct: cpuPercent(g.cpuSec, seconds),
      // the hogs' work is not the messages'
      msPerMessage: g.group === GROUP.cpuHog ? null : msPerMessage(g.cpuSec, o.delivered),
    }));
  let redis: ScenarioCost["redis"] = null;
  if (m.redis && "unavailable" in m.redis) redis = m.redis;
  else if (m.redis) {
    const totalCalls = m.redis.commands.reduce((s, c) => s + c.calls, 0);
    const usec = m.redis.commands.reduce((s, c) => s + c.usec, 0);
    redis = {
      url: m.redis.url, dedicated: m.redis.dedicated, totalCalls, callsPerMessage: perMessage(totalCalls, o.delivered), usecPerMessage: perMessage(usec, o.delivered),
      commands: m.redis.commands.map((c) => ({ command: c.command, calls: c.calls, perMessage: perMessage(c.calls, o.delivered), usecPerCall: c.calls > 0 ? r(c.usec / c.calls, 2) : 0 })),
    };
  }
  const pg = m.pgStatements;
  return {
    window: { from: r((m.cpu.startMs - o.t0) / 1000), to: r((m.cpu.endMs - o.t0) / 1000), seconds: r(seconds) },
    delivered: o.delivered,
    groups,
    processes: m.cpu.processes.map((p) => ({ label: p.label, pid: p.pid, group: p.group, cpuSec: r(p.cpuSec, 2) })),
    serverMsPerMessage: groups.find((g) => g.group === GROUP.servers)?.msPerMessage ?? null,
    redis,
    pgStatements: pg === null ? null : typeof pg === "string" ? { unavailable: pg } : statementCosts(pg, o.delivered),
    problems: m.cpu.problems,
  };
}
