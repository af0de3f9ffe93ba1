/**
 * The hub's statements from pg_stat_statements (when the server has it preloaded): the extension
 * is created in the run's database before the hubs start, the database's entries are reset as the
 * measurement window opens, and read when it closes. Every step fails soft, with the reason kept.
 */
import pg from "pg";

export type PgTrack = "top" | "all";

export interface StatementRow {
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
  /** false for a statement run inside a function (only tracked with --pg-track all) */
  toplevel: boolean;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  // the timeout goes in the startup packet: a SET would show up among the statements
  const client = new pg.Client({ connectionString: url, application_name: "loadtest-pg-statements", statement_timeout: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const reason = (err: unknown) => (err as Error).message.split("\n")[0] ?? "unknown error";

/**
 * Before the hubs connect: CREATE EXTENSION, a test read, and with `all` the database-level setting
 * that makes new sessions record the statements inside functions too. Returns why not, or null.
 */
export async function preparePgStatements(o: { databaseUrl: string; database: string; track: PgTrack }): Promise<string | null> {
  try {
    await withClient(o.databaseUrl, async (c) => {
      await c.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      await c.query("SELECT 1 FROM pg_stat_statements LIMIT 1");
      if (o.track === "all") await c.query(`ALTER DATABASE "${o.database}" SET pg_stat_statements.track = 'all'`);
    });
    return null;
  } catch (err) {
    return `pg_stat_statements unavailable: ${reason(err)}`;
  }
}

const THIS_DB = "(SELECT oid FROM pg_database WHERE datname = current_database())";

/** Forgets this database's entries (other databases on the server keep theirs). */
export async function resetPgStatements(databaseUrl: string): Promise<string | null> {
  try {
    await withClient(databaseUrl, (c) => c.query(`SELECT pg_stat_statements_reset(0, ${THIS_DB}, 0)`));
    return null;
  } catch (err) {
    return `pg_stat_statements reset failed: ${reason(err)}`;
  }
}

interface Row {
  query: string;
  calls: string;
  total_exec_time: number;
  rows: string;
  toplevel?: boolean;
}

/** This database's entries, the tool's own statements left out. */
export async function readPgStatements(databaseUrl: string): Promise<StatementRow[] | string> {
  try {
    const { rows } = await withClient(databaseUrl, (c) =>
      c.query<Row>(`SELECT * FROM pg_stat_statements WHERE dbid = ${THIS_DB} AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC`),
    );
    return rows.map((r) => ({ query: r.query, calls: Number(r.calls), totalMs: Number(r.total_exec_time), rows: Number(r.rows), toplevel: r.toplevel ?? true }));
  } catch (err) {
    return `pg_stat_statements read failed: ${reason(err)}`;
  }
}
