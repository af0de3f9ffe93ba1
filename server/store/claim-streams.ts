import type { Db } from "./prisma.ts";
import { toStreamMessages, type StreamMessage } from "./stream-message.ts";

interface ClaimLimits {
  /** Most due streams looked at (and locked) by one claim. */
  streams: number;
  /** Most messages the claimed windows may hold together (DRAIN_BATCH, less what is in flight). */
  messages: number;
  /** DELIVERY_WINDOW and DELIVERY_WINDOW_BYTES: one uid's window. */
  window: number;
  windowBytes: number;
  leaseMs: number;
  /** This hub instance: recorded as the holder, so accepts hand its streams' new messages to it. */
  instance: string | null;
}

/** A uid's stream leased to this instance, with the first window of its messages. */
export interface ClaimedStream {
  uid: string;
  /** Fencing token of this lease: every later write for the stream carries it. */
  lease: bigint;
  /** Earlier claims that ended with messages sent but unacked (redeliveries are attempt `attempts + 1`). */
  attempts: number;
  /** Consecutive deliveries that timed out (back-off grows with it). */
  failures: number;
  /** Messages up to this seq were read by an earlier claim: sending them again is a redelivery. */
  retryUpto: bigint;
  wakeSeq: bigint;
  ackedSeq: bigint;
  lastSeq: bigint;
  /** In order; empty when nothing was deliverable (the stream is idle again, not leased). */
  messages: StreamMessage[];
}

type Row = {
  uid: string;
  lease: bigint;
  attempts: number;
  failures: number;
  retry_upto: bigint;
  wake_seq: bigint;
  acked_seq: bigint;
  last_seq: bigint;
  messages: unknown;
};

/**
 * Leases due streams and reads their first windows: one statement (SQL function push_hub_claim), no
 * lock that another instance's claim waits for (SKIP LOCKED on stream rows).
 */
export async function claimStreams(db: Db, limits: ClaimLimits): Promise<ClaimedStream[]> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT uid, lease, attempts, failures, retry_upto, wake_seq, acked_seq, last_seq, messages
    FROM push_hub_claim(${limits.streams}::int, ${limits.messages}::int, ${limits.window}::int,
                        ${limits.windowBytes}::int, ${Math.round(limits.leaseMs)}::int, ${limits.instance}::uuid)`;
  return rows.map((r) => ({
    uid: r.uid,
    lease: r.lease,
    attempts: r.attempts,
    failures: r.failures,
    retryUpto: r.retry_upto,
    wakeSeq: r.wake_seq,
    ackedSeq: r.acked_seq,
    lastSeq: r.last_seq,
    messages: toStreamMessages(r.messages),
  }));
}
