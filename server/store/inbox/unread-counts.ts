import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";
import { unreadCount, type UnreadStamp } from "../unread-stamp.ts";

/**
 * Unread stamps of these uids: for each, its message count (uid_heads.last_seq, `total`) and those no
 * longer unread (uid_inbox.cleared) — two primary-key reads per uid, however long its history.
 */
export async function unreadStamps(db: Db, uids: readonly string[]): Promise<Map<string, UnreadStamp>> {
  const stamps = new Map<string, UnreadStamp>(uids.map((u) => [u, { total: 0, cleared: 0 }]));
  if (uids.length === 0) return stamps;
  const rows = await db.$queryRaw<{ uid: string; total: bigint; cleared: bigint }[]>`
    SELECT u.uid, COALESCE(h.last_seq, 0) AS total, COALESCE(i.cleared, 0) AS cleared
    FROM unnest(${[...uids]}::text[]) AS u(uid)
    LEFT JOIN uid_heads h ON h.uid = u.uid
    LEFT JOIN uid_inbox i ON i.uid = u.uid`.catch(failAsUnavailable("could not read unread counts"));
  for (const r of rows) stamps.set(r.uid, { total: Number(r.total), cleared: Number(r.cleared) });
  return stamps;
}

/** Unread counts of these uids (see unreadStamps). */
export async function unreadCounts(db: Db, uids: readonly string[]): Promise<Map<string, number>> {
  const stamps = await unreadStamps(db, uids);
  return new Map([...stamps].map(([uid, s]) => [uid, unreadCount(s)]));
}
