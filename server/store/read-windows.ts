import type { Db } from "./prisma.ts";
import { toStreamMessages, type StreamMessage } from "./stream-message.ts";
import type { UnreadStamp } from "./unread-stamp.ts";

/** Where a holder's next read starts: after the message it read last. */
export interface ReadFrom {
  uid: string;
  afterId: bigint;
  afterSeq: bigint;
}

export interface WindowRead {
  /** The head when the window was read (the same snapshot). */
  lastSeq: bigint;
  messages: StreamMessage[];
  /** Nothing after the start is deliverable up to this seq (expired, cancelled or dropped): skip to it. */
  skipTo: bigint | null;
  /** The id of the uid's newest message, with skipTo. */
  skipId: bigint | null;
  unread: UnreadStamp;
}

export interface WindowLimits {
  window: number;
  windowBytes: number;
}

type Row = { uid: string; last_seq: bigint; cleared: bigint; skip_to: bigint | null; skip_id: bigint | null; messages: unknown };

/** The next windows of several held uids in one read-only statement (SQL function push_hub_read). */
export async function readWindows(db: Db, from: ReadFrom[], limits: WindowLimits): Promise<Map<string, WindowRead>> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT uid, last_seq, cleared, skip_to, skip_id, messages FROM push_hub_read(
      ${from.map((f) => f.uid)}::text[],
      ${from.map((f) => String(f.afterId))}::bigint[],
      ${from.map((f) => String(f.afterSeq))}::bigint[],
      ${limits.window}::int, ${limits.windowBytes}::int)`;
  return new Map(
    rows.map((r) => [
      r.uid,
      {
        lastSeq: r.last_seq,
        messages: toStreamMessages(r.messages),
        skipTo: r.skip_to,
        skipId: r.skip_id,
        unread: { total: Number(r.last_seq), cleared: Number(r.cleared) },
      },
    ]),
  );
}
