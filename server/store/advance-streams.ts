import type { Db } from "./prisma.ts";
import { toStreamMessages, type StreamMessage } from "./stream-message.ts";

/** How a lease holder's entry ends (codes of push_hub_advance). */
export const End = { keep: 0, release: 1, park: 2, backOff: 3, handBack: 4 } as const;
export type EndCode = (typeof End)[keyof typeof End];

/** One lease holder's progress report. */
export interface Advance {
  uid: string;
  lease: bigint;
  /** Every message up to here was acked (contiguously); ackedId is the id of the one at ackedSeq. */
  ackedSeq: bigint;
  ackedId: bigint;
  /** Read the next window after this id (null: no read). */
  fetchAfter: bigint | null;
  end: EndCode;
  /** Back-off delay (end = backOff). */
  delayMs: number;
  /** wake_seq seen at the claim: a park is refused if a connect moved it since. */
  wakeSeq: bigint;
  /** For the receipt: the attempt number redeliveries of this lease carried, and up to which seq. */
  attempt: number;
  retryUpto: bigint;
  /** The highest seq this holder has emitted (a later claim counts up to it as redeliveries). */
  sentSeq: bigint;
}

/**
 * "held": the lease goes on (renewed); "busy": the row was locked by an accept this instant, nothing was
 * written, report again; "lost": the lease is not ours any more and nothing was written; the others
 * say how the lease ended.
 */
type AdvanceState = "held" | "busy" | "released" | "parked" | "backoff" | "handed_back" | "lost";

export interface AdvanceResult {
  uid: string;
  state: AdvanceState;
  lastSeq: bigint | null;
  /** The read came back empty: nothing up to this seq is deliverable any more (expired or dropped). */
  skipTo: bigint | null;
  /** How long the (possibly just renewed) lease still lasts, for "held". */
  leaseLeftMs: number | null;
  /** The next window when one was read. */
  messages: StreamMessage[];
}

export interface WindowLimits {
  window: number;
  windowBytes: number;
  leaseMs: number;
}

type Row = {
  uid: string;
  state: AdvanceState;
  last_seq: bigint | null;
  skip_to: bigint | null;
  lease_left_ms: number | null;
  messages: unknown;
};

/**
 * Records the progress of many lease holders in one statement (SQL function push_hub_advance): acked
 * positions (and their receipts), lease renewals, next windows, releases, parks and back-offs.
 */
export async function advanceStreams(db: Db, entries: Advance[], limits: WindowLimits): Promise<Map<string, AdvanceResult>> {
  const sorted = [...entries].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const rows = await db.$queryRaw<Row[]>`
    SELECT uid, state, last_seq, skip_to, lease_left_ms, messages
    FROM push_hub_advance(
      ${sorted.map((e) => e.uid)}::text[],
      ${sorted.map((e) => String(e.lease))}::bigint[],
      ${sorted.map((e) => String(e.ackedSeq))}::bigint[],
      ${sorted.map((e) => String(e.ackedId))}::bigint[],
      ${sorted.map((e) => (e.fetchAfter === null ? null : String(e.fetchAfter)))}::bigint[],
      ${sorted.map((e) => e.end)}::smallint[],
      ${sorted.map((e) => Math.round(e.delayMs))}::int[],
      ${sorted.map((e) => String(e.wakeSeq))}::bigint[],
      ${sorted.map((e) => e.attempt)}::int[],
      ${sorted.map((e) => String(e.retryUpto))}::bigint[],
      ${sorted.map((e) => String(e.sentSeq))}::bigint[],
      ${limits.window}::int, ${limits.windowBytes}::int, ${Math.round(limits.leaseMs)}::int)`;
  return new Map(
    rows.map((r) => [
      r.uid,
      { uid: r.uid, state: r.state, lastSeq: r.last_seq, skipTo: r.skip_to, leaseLeftMs: r.lease_left_ms, messages: toStreamMessages(r.messages) },
    ]),
  );
}
