import { Prisma } from "../generated/prisma/client.ts";
import { MESSAGE_RECORD_SQL, type MessageRecord, type MessageStatusName } from "./message-record.ts";
import type { Db } from "./prisma.ts";
import { failAsUnavailable } from "./store-unavailable-error.ts";

interface HistoryQuery {
  uid: string;
  status?: MessageStatusName;
  /** Only messages older than this id (the previous page's `next`). */
  before?: bigint;
  limit: number;
}

/**
 * One page of a uid's messages, newest first; `next` is the id to pass as `before` for the page after.
 * Rejects with a StoreUnavailableError when the database fails.
 */
export async function listUserMessages(db: Db, q: HistoryQuery): Promise<{ messages: MessageRecord[]; next: string | null }> {
  const before = q.before === undefined ? Prisma.empty : Prisma.sql`AND m.noce_ack < ${q.before}::bigint`;
  const status = q.status === undefined ? Prisma.empty : Prisma.sql`WHERE r.status = ${q.status}`;
  const rows = await db
    .$queryRaw<MessageRecord[]>(Prisma.sql`
      SELECT * FROM (${MESSAGE_RECORD_SQL} WHERE m.to_uid = ${q.uid} ${before} ORDER BY m.noce_ack DESC) r
      ${status} LIMIT ${q.limit + 1}`)
    .catch(failAsUnavailable("could not read the uid's messages"));
  const more = rows.length > q.limit;
  const messages = more ? rows.slice(0, q.limit) : rows;
  return { messages, next: more ? String(messages[messages.length - 1]?.id) : null };
}
