import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";

/**
 * Unread counts of these uids: for each, its message count (uid_heads.last_seq) minus those no longer
 * unread (uid_inbox.cleared) — two primary-key reads per uid, however long its history.
 */
export async function unreadCounts(db: Db, uids: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(uids.map((u) => [u, 0]));
  if (uids.length === 0) return counts;
  const rows = await db.$queryRaw<{ uid: string; unread: bigint }[]>`
    SELECT u.uid, COALESCE(h.last_seq, 0) - COALESCE(i.cleared, 0) AS unread
    FROM unnest(${[...uids]}::text[]) AS u(uid)
    LEFT JOIN uid_heads h ON h.uid = u.uid
    LEFT JOIN uid_inbox i ON i.uid = u.uid`.catch(failAsUnavailable("could not read unread counts"));
  for (const r of rows) counts.set(r.uid, Number(r.unread));
  return counts;
}
