import type { Db } from "./prisma.ts";

/** Whether PostgreSQL's autovacuum is on for this database. */
export async function autovacuumOn(db: Db): Promise<boolean> {
  const [row] = await db.$queryRaw<{ on: boolean }[]>`SELECT current_setting('autovacuum')::boolean AS on`;
  return row?.on ?? true;
}

/**
 * VACUUM (ANALYZE) of the tables the engine updates or deletes from: `uid_streams` (every progress
 * report writes it) and the key/token tables pruned by housekeeping. For servers that run with
 * autovacuum off: without it their dead row versions and index entries would pile up. VACUUM does not
 * block reads or writes (SHARE UPDATE EXCLUSIVE); it cannot run inside a transaction.
 */
export async function vacuumHotTables(db: Db, tables: readonly string[]): Promise<void> {
  for (const table of tables) await db.$executeRawUnsafe(`VACUUM (ANALYZE) "${table}"`);
}
