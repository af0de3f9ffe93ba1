import type { Db } from "./prisma.ts";

/**
 * Sockets of these uids are connected: their parked streams become due (and, when `onlyParked` is
 * false — a connect — backing-off ones too; a leased one keeps its holder but cannot be parked by it).
 * One statement (SQL function push_hub_wake) touching only these uids' rows. Returns the uids that
 * became due now.
 */
export async function wakeStreams(db: Db, uids: string[], onlyParked: boolean): Promise<string[]> {
  if (uids.length === 0) return [];
  const rows = await db.$queryRaw<{ uid: string; due: boolean | null }[]>`
    SELECT uid, due FROM push_hub_wake(${uids}::text[], ${onlyParked})`;
  return rows.filter((r) => r.due === true).map((r) => r.uid);
}
