import pg from "pg";
import { TEST_PG_ADMIN_URL } from "./env.ts";

async function asAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Makes database `name` refuse every connection and drops the ones it has, until `restore`. */
export async function cutDatabase(name: string): Promise<void> {
  await asAdmin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
  await asAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
}

export async function restoreDatabase(name: string): Promise<void> {
  await asAdmin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
}
