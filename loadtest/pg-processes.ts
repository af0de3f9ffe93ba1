/**
 * The PostgreSQL processes whose CPU a run is charged with, from pg_stat_activity over one admin
 * connection: every backend of the run's database (client backends, autovacuum and parallel
 * workers) as "postgres", and the server's own background processes (checkpointer, WAL writer, …),
 * which every database on the server shares, as "postgres-background". Not counted: the postmaster
 * and the tool's own connections (application_name loadtest-…).
 */
import pg from "pg";
import { GROUP } from "./cost-figures.ts";
import type { PidSource, WatchedPid } from "./cpu-window.ts";

interface ActivityRow {
  pid: number;
  datname: string | null;
  backend_type: string;
}

const ACTIVITY_SQL = `
  SELECT pid, datname, backend_type FROM pg_stat_activity
  WHERE pid <> pg_backend_pid() AND application_name NOT LIKE 'loadtest-%'
    AND (datname = $1 OR (datname IS NULL AND backend_type <> 'client backend'))`;

export function pgProcessesOf(rows: ActivityRow[], database: string): WatchedPid[] {
  return rows.map((r) => ({
    pid: r.pid,
    group: r.datname === database ? GROUP.postgres : GROUP.postgresBackground,
    label: `${r.backend_type} ${r.pid}`,
    comm: "postgres",
  }));
}

export function createPgProcessSource(o: { adminUrl: string; database: string }): { source: PidSource; close(): Promise<void> } {
  let client: pg.Client | undefined;
  const connect = async () => {
    const c = new pg.Client({ connectionString: o.adminUrl, application_name: "loadtest-cpu-meter", statement_timeout: 5000 });
    c.on("error", () => undefined); // the next query fails and reconnects
    await c.connect();
    return c;
  };
  return {
    async source() {
      try {
        client ??= await connect();
        const { rows } = await client.query<ActivityRow>(ACTIVITY_SQL, [o.database]);
        return pgProcessesOf(rows, o.database);
      } catch (err) {
        await client?.end().catch(() => undefined);
        client = undefined;
        throw new Error(`postgres processes: ${(err as Error).message}`);
      }
    },
    async close() {
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
