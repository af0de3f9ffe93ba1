import type { Message, Prisma } from "../generated/prisma/client.ts";
import type { MessageStatusName } from "./message-view.ts";
import type { Db } from "./prisma.ts";

export interface HistoryQuery {
  uid: string;
  status?: MessageStatusName;
  /** Only messages older than this id (the previous page's `next`). */
  before?: bigint;
  limit: number;
}

function statusFilter(status: MessageStatusName | undefined, now: Date): Prisma.MessageWhereInput {
  const unexpired: Prisma.MessageWhereInput = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  switch (status) {
    case undefined:
      return {};
    case "queued":
      return { status: "queued", ...unexpired };
    case "expired":
      return { OR: [{ status: "expired" }, { status: "queued", expiresAt: { lte: now } }] };
    default:
      return { status };
  }
}

/** One page of a uid's messages, newest first; `next` is the id to pass as `before` for the page after. */
export async function listUserMessages(
  db: Db,
  q: HistoryQuery,
  now = new Date(),
): Promise<{ messages: Message[]; next: string | null }> {
  const rows = await db.message.findMany({
    where: {
      AND: [{ toUid: q.uid }, q.before === undefined ? {} : { id: { lt: q.before } }, statusFilter(q.status, now)],
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
  const more = rows.length > q.limit;
  const messages = more ? rows.slice(0, q.limit) : rows;
  return { messages, next: more ? String(messages[messages.length - 1]?.id) : null };
}
