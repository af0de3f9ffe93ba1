import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { fromRoot } from "../project-paths.ts";

const MIGRATIONS_DIR = fromRoot("prisma", "migrations");

/**
 * The local migrations the database has not finished yet, read straight from Prisma's
 * `_prisma_migrations` table; undefined when that cannot be decided cheaply (no table, a failed or
 * unknown migration, no connection), in which case the caller lets the Prisma CLI decide.
 * Starting the CLI costs seconds, so a restart with nothing pending skips it.
 */
export async function pendingMigrations(databaseUrl: string): Promise<string[] | undefined> {
  const local = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(MIGRATIONS_DIR, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      "SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations",
    );
    const live = rows.filter((r) => r.rolled_back_at === null);
    if (live.some((r) => r.finished_at === null)) return undefined; // a failed migration: the CLI explains it
    const applied = new Set(live.map((r) => r.migration_name));
    if ([...applied].some((name) => !local.includes(name))) return undefined; // the CLI warns about these
    return local.filter((name) => !applied.has(name));
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
