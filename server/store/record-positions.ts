import { Prisma } from "../generated/prisma/client.ts";
import type { SqlRunner } from "./sql-runner.ts";

/** Where a held uid's delivery stands: everything up to ackedSeq acked, up to sentSeq sent. */
export interface Position {
  uid: string;
  /** The first seq acked since the holder last recorded (its receipt covers firstSeq..ackedSeq). */
  firstSeq: bigint;
  ackedSeq: bigint;
  /** The id of the message at ackedSeq. */
  ackedId: bigint;
  sentSeq: bigint;
  /** For the receipt: redeliveries (seq ≤ retryUpto) went out as attempt `attempt`. */
  attempt: number;
  retryUpto: bigint;
}

export const positionArgs = (entries: Position[]) => ({
  uids: entries.map((e) => e.uid),
  firstSeq: entries.map((e) => String(e.firstSeq)),
  ackedSeq: entries.map((e) => String(e.ackedSeq)),
  ackedId: entries.map((e) => String(e.ackedId)),
  sentSeq: entries.map((e) => String(e.sentSeq)),
  attempt: entries.map((e) => e.attempt),
  retryUpto: entries.map((e) => String(e.retryUpto)),
});

/**
 * Records positions of held uids with their receipts (SQL function push_hub_record), committed without
 * waiting for the WAL flush: a record lost in a crash of PostgreSQL is a redelivery. Monotonic.
 */
export async function recordPositions(sql: SqlRunner, entries: Position[]): Promise<void> {
  if (entries.length === 0) return;
  const sorted = [...entries].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const a = positionArgs(sorted);
  await sql(Prisma.sql`
    SELECT push_hub_record(${a.uids}::text[], ${a.firstSeq}::bigint[], ${a.ackedSeq}::bigint[], ${a.ackedId}::bigint[],
                           ${a.sentSeq}::bigint[], ${a.attempt}::int[], ${a.retryUpto}::bigint[])`);
}
