import type { StreamMessage } from "./stream-message.ts";
import type { UnreadStamp } from "./unread-stamp.ts";

/**
 * A uid granted to this instance (by a connect, a claim, a transfer or an adoption): where its delivery
 * starts. Everything up to `ackedSeq` is done; messages up to `retryUpto` may have reached a device
 * already, so sending them again is attempt `attempts + 1`.
 */
export interface HolderGrant {
  uid: string;
  /** Fencing token: every end of this holding carries it. */
  lease: bigint;
  /** wake_seq at the grant: a release after a later connect is refused (the uid becomes due instead). */
  wakeSeq: bigint;
  attempts: number;
  /** Consecutive deliveries that got no ack (back-off grows with it). */
  failures: number;
  retryUpto: bigint;
  ackedSeq: bigint;
  ackedId: bigint;
  /** The head: messages up to here exist. */
  lastSeq: bigint;
  unread: UnreadStamp;
  /** The first window when the grant read one (a claim), else empty (the holder reads it). */
  messages: StreamMessage[];
}

/** A granted uid as the holder functions return it (`sent_seq` selected as `retry_upto`). */
export interface GrantRow {
  uid: string;
  lease: bigint;
  wake_seq: bigint;
  attempts: number;
  failures: number;
  retry_upto: bigint;
  acked_seq: bigint;
  acked_id: bigint;
  last_seq: bigint;
  cleared: bigint;
}

export function grantOf(r: GrantRow, messages: StreamMessage[] = []): HolderGrant {
  return {
    uid: r.uid,
    lease: r.lease,
    wakeSeq: r.wake_seq,
    attempts: r.attempts,
    failures: r.failures,
    retryUpto: r.retry_upto,
    ackedSeq: r.acked_seq,
    ackedId: r.acked_id,
    lastSeq: r.last_seq,
    unread: { total: Number(r.last_seq), cleared: Number(r.cleared) },
    messages,
  };
}
