/** A throwaway PostgreSQL database: created beside an admin connection, migrated as production is, dropped. */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { repoRoot } from "./repo-root.ts";

const run = promisify(execFile);

export interface ThrowawayDatabase {
  name: string;
  url: string;
  /** Runs one SQL statement against this database. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops it, closing whatever connections are still open. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * `adminUrl` points at an existing database (e.g. …/postgres); the new one, `pushhub_<label>_<hex>`,
 * lives on the same server and is migrated with `prisma migrate deploy` (scripts/prisma-cli.mjs).
 */
export async function createThrowawayDatabase(o: { adminUrl: string; label: string }): Promise<ThrowawayDatabase> {
  const name = `pushhub_${o.label}_${randomBytes(4).toString("hex")}`;
  const url = new URL(o.adminUrl);
  url.pathname = `/${name}`;
  await withClient(o.adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const db: ThrowawayDatabase = {
    name,
    url: url.toString(),
    query: (sql, params) => withClient(db.url, async (c) => (await c.query(sql, params)).rows),
    drop: () => withClient(o.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
  try {
    await run(process.execPath, ["scripts/prisma-cli.mjs", "migrate", "deploy"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: db.url },
    });
  } catch (err) {
    await db.drop().catch(() => undefined);
    throw err;
  }
  return db;
}
