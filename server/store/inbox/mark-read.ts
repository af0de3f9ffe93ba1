import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";

interface MarkReadResult {
  /** The ids that became read now (already read, cancelled, foreign or unknown ids are not). */
  ids: bigint[];
  /** The uid's unread count after. */
  unread: number;
}

export type ReadTarget = { ids: bigint[] } | { upTo: bigint };

/**
 * Marks the uid's own messages read — the given ids, or every one up to an id — and keeps its unread
 * count (push_hub_mark_read, which locks the uid's inbox row). Messages that expired before they
 * were delivered stay unread-and-expired, as do cancelled ones.
 */
export async function markRead(db: Db, uid: string, target: ReadTarget): Promise<MarkReadResult> {
  const ids = "ids" in target ? target.ids.map(String) : null;
  const upTo = "upTo" in target ? String(target.upTo) : null;
  const [row] = await db.$queryRaw<{ ids: bigint[]; unread: bigint }[]>`
    SELECT ids, unread FROM push_hub_mark_read(${uid}, ${ids}::bigint[], ${upTo}::bigint)`.catch(failAsUnavailable("could not mark messages read"));
  return { ids: row?.ids ?? [], unread: Number(row?.unread ?? 0) };
}
