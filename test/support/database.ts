import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { ROOT, TEST_PG_ADMIN_URL } from "./env.ts";

const run = promisify(execFile);

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs one SQL statement against this database. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = TEST_PG_ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database per test file, migrated with `prisma migrate deploy` exactly as production is. */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const name = `pushhub_${label}_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  await run(process.execPath, ["scripts/prisma-cli.mjs", "migrate", "deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url.toString() },
  });
  return {
    url: url.toString(),
    name,
    query: (sql, params) => admin(async (c) => (await c.query(sql, params)).rows, url.toString()),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
