import type { Db } from "./prisma.ts";

/**
 * Keeps the message log's current and next partitions in place and, once the current one has been
 * open for `intervalMs`, seals it and moves new ids to the next (SQL function push_hub_roll_partitions).
 * Returns the open partition's epoch, or null when another instance is doing this right now.
 */
export async function rollPartitions(db: Db, intervalMs: number): Promise<number | null> {
  const [row] = await db.$queryRaw<{ epoch: number | null }[]>`
    SELECT push_hub_roll_partitions(${Math.round(intervalMs)}::bigint) AS epoch`;
  return row?.epoch ?? null;
}
