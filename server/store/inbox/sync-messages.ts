import { Prisma } from "../../generated/prisma/client.ts";
import { MESSAGE_RECORD_SQL, type MessageRecord } from "../message-record.ts";
import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";

export interface SyncPage {
  /** Oldest first. */
  messages: MessageRecord[];
  /** The id to pass as `since` for the next page; null when this page reached the newest. */
  next: string | null;
}

/**
 * A uid's messages after `since` (all it still has when null), oldest first, cancelled ones left out:
 * what a device missed, whichever device acked it. An index range scan on (to_uid, noce_ack).
 */
export async function syncMessages(db: Db, q: { uid: string; since: bigint | null; limit: number }): Promise<SyncPage> {
  const since = q.since ?? 0n;
  const rows = await db.$queryRaw<MessageRecord[]>(Prisma.sql`
    ${MESSAGE_RECORD_SQL}
    WHERE m.to_uid = ${q.uid} AND m.noce_ack > ${since}::bigint AND m.cancelled_at IS NULL
    ORDER BY m.noce_ack LIMIT ${q.limit + 1}`).catch(failAsUnavailable("could not read the messages"));
  const more = rows.length > q.limit;
  const messages = more ? rows.slice(0, q.limit) : rows;
  return { messages, next: more ? String(messages[messages.length - 1]?.id) : null };
}
