/**
 * Samples the on-disk size of the hub's storage every interval over one connection to the run's
 * database: partitioned tables summed over pg_partition_tree, plain tables by pg_total_relation_size,
 * plus live/dead row estimates from pg_stat_user_tables (cumulative statistics, so they can lag).
 */
import pg from "pg";
import { nowMs } from "./time-series.ts";

export const PARTITIONED_TABLES = ["messages", "deliveries"] as const;
export const PLAIN_TABLES = ["uid_streams", "idempotency_keys", "accept_batches"] as const;

export interface TableSize {
  bytes: number;
  /** leaf partitions (0 for a plain table) */
  partitions: number;
  liveRows: number;
  deadRows: number;
}

export interface DbSample {
  /** epoch ms when the sample was taken */
  atMs: number;
  databaseBytes: number;
  tables: Record<string, TableSize>;
}

export interface DbSamplerOutcome {
  samples: DbSample[];
  errors: number;
  errorSample: string[];
}

export interface DbSampler {
  start(): void;
  latest(): DbSample | undefined;
  stop(): Promise<DbSamplerOutcome>;
}

const partitionedSql = (t: string) => `
  SELECT '${t}' AS name, count(*) FILTER (WHERE p.isleaf) AS partitions,
         coalesce(sum(pg_total_relation_size(p.relid)), 0) AS bytes,
         coalesce(sum(s.n_live_tup), 0) AS live, coalesce(sum(s.n_dead_tup), 0) AS dead
  FROM pg_partition_tree(to_regclass('${t}')) p LEFT JOIN pg_stat_user_tables s ON s.relid = p.relid`;

const plainSql = (t: string) => `
  SELECT '${t}' AS name, 0 AS partitions, coalesce(pg_total_relation_size(to_regclass('${t}')), 0) AS bytes,
         coalesce((SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = to_regclass('${t}')), 0) AS live,
         coalesce((SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = to_regclass('${t}')), 0) AS dead`;

export const SAMPLE_SQL = [
  ...PARTITIONED_TABLES.map(partitionedSql),
  ...PLAIN_TABLES.map(plainSql),
  `SELECT '(database)' AS name, 0, pg_database_size(current_database()), 0, 0`,
].join("\n  UNION ALL\n");

interface Row {
  name: string;
  partitions: string;
  bytes: string;
  live: string;
  dead: string;
}

export function createDbSampler(deps: { url: string; intervalMs: number }): DbSampler {
  const samples: DbSample[] = [];
  const errorSample: string[] = [];
  let errors = 0;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const note = (err: unknown) => {
    errors++;
    if (errorSample.length < 10) errorSample.push((err as Error).message);
  };

  const sampleOnce = async () => {
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: deps.url, application_name: "loadtest-db-sampler" });
        c.on("error", note);
        await c.connect();
        // never queue behind the hub's partition DDL for long: a skipped sample is cheaper
        await c.query("SET lock_timeout = '2s'; SET statement_timeout = '10s'");
        client = c;
      }
      const atMs = nowMs();
      const { rows } = await client.query<Row>(SAMPLE_SQL);
      const tables: Record<string, TableSize> = {};
      let databaseBytes = 0;
      for (const r of rows) {
        if (r.name === "(database)") databaseBytes = Number(r.bytes);
        else tables[r.name] = { bytes: Number(r.bytes), partitions: Number(r.partitions), liveRows: Number(r.live), deadRows: Number(r.dead) };
      }
      samples.push({ atMs, databaseBytes, tables });
    } catch (err) {
      note(err);
      await client?.end().catch(() => undefined);
      client = undefined;
    }
  };

  const loop = () => {
    if (stopped) return;
    running = sampleOnce().finally(() => {
      if (!stopped) timer = setTimeout(loop, deps.intervalMs);
    });
  };

  return {
    start: loop,
    latest: () => samples[samples.length - 1],
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      // one last sample so the series ends where the run ends
      await sampleOnce();
      await client?.end().catch(() => undefined);
      return { samples, errors, errorSample };
    },
  };
}
