import type { Db } from "./prisma.ts";

/**
 * A socket of `uid` joined its room: everything still queued for it becomes due now — parked and
 * deferred messages, and ones whose emit may have raced the join. Under the claim lock (SQL function
 * push_hub_wake_uid), so a claim running at the same moment cannot park a message behind this wake-up.
 */
export async function wakeUid(db: Db, uid: string): Promise<number> {
  const [row] = await db.$queryRaw<{ woke: number }[]>`SELECT push_hub_wake_uid(${uid}) AS woke`;
  return row?.woke ?? 0;
}
