import type { Db } from "./prisma.ts";

const PARENTS = ["messages", "deliveries"] as const;

/**
 * Retention: partitions sealed more than `retentionMs` ago leave as whole tables — detached
 * CONCURRENTLY (readers and writers of the log are never blocked; PostgreSQL waits for queries that
 * may still see the partition), then dropped. No row is deleted one by one, so nothing bloats.
 * Their still-unread messages are first counted out of their uids' unread counts (once per partition).
 * Returns the epochs dropped and the uids whose unread count changed. A detach interrupted earlier is
 * finalized first.
 */
export async function dropExpiredPartitions(db: Db, retentionMs: number): Promise<{ epochs: number[]; unread: Map<string, number> }> {
  const due = await db.$queryRaw<{ epoch: number }[]>`
    SELECT epoch FROM message_partitions
    WHERE sealed_at < now() - make_interval(secs => ${retentionMs / 1000}::float8)
    ORDER BY epoch`;
  const dropped: number[] = [];
  const unread = new Map<string, number>();
  for (const { epoch } of due) {
    const counted = await db.$queryRaw<{ uid: string; unread: bigint }[]>`SELECT uid, unread FROM push_hub_clear_partition(${epoch}::int)`;
    for (const r of counted) unread.set(r.uid, Number(r.unread));
    for (const parent of PARENTS) {
      const table = `${parent}_p${epoch}`;
      const [state] = await db.$queryRaw<{ attached: boolean | null; pending: boolean | null }[]>`
        SELECT i.inhrelid IS NOT NULL AS attached, i.inhdetachpending AS pending
        FROM (SELECT to_regclass(${table}) AS rel) r
        LEFT JOIN pg_inherits i ON i.inhrelid = r.rel AND i.inhparent = ${parent}::regclass
        WHERE r.rel IS NOT NULL`;
      if (state?.attached) {
        const mode = state.pending ? "FINALIZE" : "CONCURRENTLY";
        await db.$executeRawUnsafe(`ALTER TABLE "${parent}" DETACH PARTITION "${table}" ${mode}`);
      }
      if (state) await db.$executeRawUnsafe(`DROP TABLE IF EXISTS "${table}"`);
    }
    await db.$executeRaw`DELETE FROM message_partitions WHERE epoch = ${epoch}::int`;
    dropped.push(epoch);
  }
  return { epochs: dropped, unread };
}
