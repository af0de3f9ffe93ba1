/**
 * What a scenario measures over its window (publishing start → end of grace): CPU seconds of its
 * servers and of everything they lean on (cpu-window.ts), Redis's command counts (INFO
 * commandstats before and after) and the database's statements (pg_stat_statements). Never throws:
 * what cannot be measured comes back as a reason.
 */
import { GROUP } from "./cost-figures.ts";
import { createCpuWindowMeter, fixedPids, type CpuWindow, type CpuWindowMeter, type PidSource, type WatchedPid } from "./cpu-window.ts";
import type { MeasurementWindow } from "./generator.ts";
import { createPgProcessSource } from "./pg-processes.ts";
import { readPgStatements, resetPgStatements, type StatementRow } from "./pg-statements.ts";
import { commandDelta, type CommandDelta, type CommandStat } from "./redis-commandstats.ts";
import { openRedisProbe, type RedisProbe } from "./redis-probe.ts";
import { nowMs } from "./time-series.ts";

export interface MeasurementPlan {
  /** fixed processes: servers, nginx, a dedicated redis-server, CPU hogs */
  processes: WatchedPid[];
  /** the Redis the scenario's servers use, if any; `pid` when the tool started it */
  redis?: { url: string; dedicated: boolean; pid?: number };
  /** the run's database, for its backends' CPU and its statements */
  postgres?: { adminUrl: string; database: string; databaseUrl: string; statementsUnavailable: string | null };
}

export type RedisMeasurement = { url: string; dedicated: boolean; commands: CommandDelta[] } | { unavailable: string };

export interface Measured {
  cpu: CpuWindow;
  /** null: the scenario does not use Redis */
  redis: RedisMeasurement | null;
  /** null: no database; a string: why not */
  pgStatements: StatementRow[] | string | null;
}

const message = (err: unknown) => (err as Error).message.split("\n")[0] ?? "unknown error";

export function createMeasurement(plan: MeasurementPlan): { window: MeasurementWindow; result(): Measured | undefined; close(): Promise<void> } {
  const pgSource = plan.postgres ? createPgProcessSource({ adminUrl: plan.postgres.adminUrl, database: plan.postgres.database }) : undefined;
  let probe: RedisProbe | undefined;
  let before: Map<string, CommandStat> | undefined;
  let redisProblem: string | undefined;
  let statementsProblem = plan.postgres?.statementsUnavailable ?? null;
  let meter: CpuWindowMeter | undefined;
  let cpuProblem: string | undefined;
  let startedAt = 0;
  let measured: Measured | undefined;

  const close = async () => {
    probe?.close();
    probe = undefined;
    await pgSource?.close();
  };

  const openRedis = async (): Promise<WatchedPid | undefined> => {
    if (!plan.redis) return undefined;
    try {
      probe = await openRedisProbe(plan.redis.url);
      const pid = plan.redis.pid ?? (await probe.processId());
      before = await probe.commandStats();
      return { pid, group: GROUP.redis, label: plan.redis.dedicated ? "redis-server" : "redis-server (shared)", comm: "redis-server" };
    } catch (err) {
      redisProblem = `redis ${plan.redis.url}: ${message(err)}`;
      return undefined;
    }
  };

  const readRedis = async (): Promise<RedisMeasurement | null> => {
    if (!plan.redis) return null;
    if (!probe || !before) return { unavailable: redisProblem ?? "redis probe not open" };
    try {
      // the probe's own INFO calls are the only commands it sends
      return { url: plan.redis.url, dedicated: plan.redis.dedicated, commands: commandDelta(before, await probe.commandStats(), ["info"]) };
    } catch (err) {
      return { unavailable: `redis ${plan.redis.url}: ${message(err)}` };
    }
  };

  return {
    window: {
      async start() {
        const redisPid = await openRedis();
        if (plan.postgres && statementsProblem === null) statementsProblem = await resetPgStatements(plan.postgres.databaseUrl);
        const sources: PidSource[] = [fixedPids([...plan.processes, ...(redisPid ? [redisPid] : [])])];
        if (pgSource) sources.push(pgSource.source);
        meter = createCpuWindowMeter({ sources });
        startedAt = nowMs();
        await meter.start().catch((err: unknown) => {
          cpuProblem = `CPU from /proc: ${message(err)}`;
          meter = undefined;
        });
      },
      async end() {
        const cpu = meter ? await meter.end() : { startMs: startedAt, endMs: nowMs(), processes: [], problems: [cpuProblem ?? "not measured"] };
        const redis = await readRedis();
        const pgStatements = plan.postgres ? (statementsProblem ?? (await readPgStatements(plan.postgres.databaseUrl))) : null;
        measured = { cpu, redis, pgStatements };
        await close();
      },
    },
    result: () => measured,
    close,
  };
}
