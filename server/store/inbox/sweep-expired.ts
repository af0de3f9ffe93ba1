import type { Db } from "../prisma.ts";

/**
 * Counts out of unread the messages whose expiry passed since the last sweep (push_hub_sweep_expired;
 * one sweep at a time across instances). Returns the uids whose count changed, with the new count.
 */
export async function sweepExpired(db: Db): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ uid: string; unread: bigint }[]>`SELECT uid, unread FROM push_hub_sweep_expired()`;
  return new Map(rows.map((r) => [r.uid, Number(r.unread)]));
}
