import type { Db } from "./prisma.ts";

/**
 * Idempotency keys live as long as the messages they name (`keyTtlMs`, = RETENTION); group-commit tokens
 * only as long as a retry of their commit can come (`tokenTtlMs`). Deleted in slices of `slice` rows so
 * no statement runs long. Returns how many rows went.
 */
export async function pruneExpiredKeys(db: Db, keyTtlMs: number, tokenTtlMs: number, slice = 5000): Promise<number> {
  let removed = 0;
  for (;;) {
    const keys = await db.$executeRaw`
      DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM idempotency_keys
        WHERE created_at < now() - make_interval(secs => ${keyTtlMs / 1000}::float8) LIMIT ${slice}))`;
    const tokens = await db.$executeRaw`
      DELETE FROM accept_batches WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM accept_batches
        WHERE created_at < now() - make_interval(secs => ${tokenTtlMs / 1000}::float8) LIMIT ${slice}))`;
    removed += keys + tokens;
    if (keys < slice && tokens < slice) return removed;
  }
}
