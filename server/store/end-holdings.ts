import { positionArgs, type Position } from "./record-positions.ts";
import type { Db } from "./prisma.ts";

/** How a holder gives a uid up (the names push_hub_end takes). */
export const HoldingEnd = {
  /** Nobody of the uid is connected anywhere: idle when all is acked, else parked. */
  release: "release",
  /** Its sockets did not ack in time: due again after a delay. */
  backoff: "backoff",
  /** Due now: another instance takes it (shutdown, or a holder that can no longer send). */
  handback: "handback",
  /** To an instance that holds a socket of the uid. */
  transfer: "transfer",
} as const;
export type HoldingEnd = (typeof HoldingEnd)[keyof typeof HoldingEnd];

export interface EndRequest extends Position {
  lease: bigint;
  end: HoldingEnd;
  delayMs: number;
  /** Consecutive deliveries without an ack, after this one. */
  failures: number;
  /** wake_seq at the grant. */
  wakeSeq: bigint;
  /** The receiving instance, for a transfer. */
  to: string | null;
}

/** What became of the uid: the first three follow a release (due: a connect came meanwhile). */
export type EndState = "idle" | "parked" | "due" | "backoff" | "handed_back" | "transferred" | "lost";

export interface EndResult {
  state: EndState;
  /** The lease after (a transfer's new one). */
  lease: bigint;
  lastSeq: bigint | null;
}

type Row = { uid: string; state: EndState; lease: bigint | null; last_seq: bigint | null };

/**
 * Ends holdings of `instance` with their final positions, in one synchronous commit (SQL function
 * push_hub_end); fenced by lease ("lost": the uid is not ours any more, nothing changed but positions).
 */
export async function endHoldings(db: Db, instance: string, entries: EndRequest[]): Promise<Map<string, EndResult>> {
  const sorted = [...entries].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const a = positionArgs(sorted);
  const rows = await db.$queryRaw<Row[]>`
    SELECT uid, state, lease, last_seq FROM push_hub_end(
      ${instance}::uuid, ${a.uids}::text[], ${sorted.map((e) => String(e.lease))}::bigint[],
      ${sorted.map((e) => e.end)}::text[], ${sorted.map((e) => Math.round(e.delayMs))}::int[],
      ${sorted.map((e) => e.failures)}::int[], ${sorted.map((e) => String(e.wakeSeq))}::bigint[],
      ${sorted.map((e) => e.to)}::uuid[], ${a.firstSeq}::bigint[], ${a.ackedSeq}::bigint[], ${a.ackedId}::bigint[], ${a.sentSeq}::bigint[],
      ${a.attempt}::int[], ${a.retryUpto}::bigint[])`;
  return new Map(rows.map((r) => [r.uid, { state: r.state, lease: r.lease ?? 0n, lastSeq: r.last_seq }]));
}
