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

interface SyncPageQuery {
  uid: string;
  /** Messages after this id; null (or 0) for the whole history. */
  since: bigint | null;
  /** Messages on the page at most. */
  limit: number;
  /** Bytes of `msg` (as stored JSON text) on the page at most; the first message is always on it. */
  maxBytes: number;
}

/**
 * A uid's messages after `since`, oldest first, cancelled ones left out: what a device missed, whichever
 * device acked it. The page ends at `limit` messages or before the one that would take it past
 * `maxBytes`, so one page costs a bounded amount of memory whatever the messages' sizes (500 messages of
 * 64 KiB would be 32 MiB). One statement: the cut is chosen from the ids and sizes of at most limit + 1
 * rows (an index range scan on (to_uid, noce_ack)), then only the chosen messages are read in full.
 */
export async function readSyncPage(db: Db, q: SyncPageQuery): Promise<SyncPage> {
  const since = q.since ?? 0n;
  const rows = await db.$queryRaw<(MessageRecord & { more: boolean })[]>(Prisma.sql`
    WITH candidates AS (
      SELECT m.noce_ack AS id, row_number() OVER w AS n, sum(m.body_bytes) OVER w AS bytes
      FROM messages m
      WHERE m.to_uid = ${q.uid} AND m.noce_ack > ${since}::bigint AND m.cancelled_at IS NULL
      WINDOW w AS (ORDER BY m.noce_ack)
      ORDER BY m.noce_ack LIMIT ${q.limit + 1}
    ), page AS (
      SELECT max(id) AS last, count(*) < (SELECT count(*) FROM candidates) AS more
      FROM candidates WHERE n <= ${q.limit} AND (n = 1 OR bytes <= ${q.maxBytes})
    )
    SELECT r.*, page.more FROM page, LATERAL (
      ${MESSAGE_RECORD_SQL}
      WHERE m.to_uid = ${q.uid} AND m.noce_ack > ${since}::bigint AND m.noce_ack <= page.last AND m.cancelled_at IS NULL
    ) r
    ORDER BY r.id`).catch(failAsUnavailable("could not read the messages"));
  const more = rows[0]?.more ?? false;
  const messages = rows.map(({ more: _, ...record }) => record as MessageRecord);
  return { messages, next: more ? String(messages[messages.length - 1]?.id) : null };
}
