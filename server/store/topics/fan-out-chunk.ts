import type { Db } from "../prisma.ts";
import type { TopicAppendRow } from "./topic-appends.ts";

export type FanOutStatus = "more" | "done" | "busy" | "missing";

export interface FanOutChunk {
  /** more: call again; done: every recipient has its row; busy: another instance holds the publish now. */
  status: FanOutStatus;
  /** Messages this chunk wrote (one per uid). */
  fanned: number;
  /** Those of them whose uid is held by an instance, for hand-over (the others are parked). */
  held: TopicAppendRow[];
}

/**
 * One chunk of a publish's fan-out (push_hub_topic_fan_out): up to `chunk` recipients after its cursor
 * get one message each and the cursor moves past them, in one transaction — a crash before it commits
 * leaves nothing of the chunk, after it leaves the cursor past it, so no uid gets two rows.
 * Locks: the publish row (SKIP LOCKED), then the recipients' heads in uid order.
 */
export async function fanOutChunk(db: Db, publishId: bigint, chunk: number): Promise<FanOutChunk> {
  const rows = await db.$queryRaw<(TopicAppendRow & { status: FanOutStatus; fanned: number })[]>`
    SELECT status, fanned, uid, id, seq, holder, lease, total, cleared FROM push_hub_topic_fan_out(${publishId}, ${chunk}::int)`;
  return { status: rows[0]?.status ?? "missing", fanned: rows[0]?.fanned ?? 0, held: rows.filter((r) => r.uid !== null) };
}
