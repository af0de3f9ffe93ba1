import type { MessagePayload } from "../protocol/message-payload.ts";
import type { StreamMessage } from "../store/stream-message.ts";

/** A message of the window: read (or handed over), maybe sent to some targets, maybe acked. */
export interface WindowEntry {
  m: StreamMessage;
  acked: boolean;
  /** When it was last sent to a target (0: not yet). */
  sentAt: number;
  /** What it was last sent as (kept: every target is sent the same object while the attempt is the same). */
  payload?: MessagePayload;
}

export interface WindowLimits {
  /** Messages from the acked position that may be out at once (DELIVERY_WINDOW). */
  window: number;
  /** Their bytes (DELIVERY_WINDOW_BYTES); the first one always fits. */
  windowBytes: number;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * One uid's messages between its acked position and what its holder has read, in stream order. The
 * position moves over a contiguous run of acked entries only (a message nobody acked is never passed),
 * or over messages a read found undeliverable (expired, cancelled, dropped).
 */
export class DeliveryWindow {
  readonly entries: WindowEntry[] = [];
  ackedSeq: bigint;
  ackedId: bigint;
  fetchedSeq: bigint;
  fetchedId: bigint;
  /** The highest seq sent to any target. */
  sentSeq: bigint;

  constructor(
    start: { ackedSeq: bigint; ackedId: bigint },
    private readonly limits: WindowLimits,
  ) {
    this.ackedSeq = this.fetchedSeq = this.sentSeq = start.ackedSeq;
    this.ackedId = this.fetchedId = start.ackedId;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Appends messages after what is held (older ones are ignored); returns how many seqs were passed over. */
  take(messages: StreamMessage[]): number {
    let skipped = 0;
    for (const m of messages) {
      if (m.seq <= this.fetchedSeq) continue;
      skipped += Number(m.seq - this.fetchedSeq - 1n);
      this.entries.push({ m, acked: false, sentAt: 0 });
      this.fetchedSeq = m.seq;
      this.fetchedId = m.id;
    }
    return skipped;
  }

  /** Nothing after what is held is deliverable up to `seq` (its newest id `id`); returns how many were passed over. */
  skipTo(seq: bigint, id: bigint | null): number {
    if (seq <= this.fetchedSeq) return 0;
    const skipped = Number(seq - this.fetchedSeq);
    this.fetchedSeq = seq;
    if (id !== null) this.fetchedId = max(this.fetchedId, id);
    this.settle();
    return skipped;
  }

  /** Entries after `cursor` inside the window that nobody acked yet, oldest first. */
  sendable(cursor: bigint): WindowEntry[] {
    const out: WindowEntry[] = [];
    let bytes = 0;
    // Like the store's window reads: an entry fits while the bytes before it are under the limit.
    for (let i = 0; i < this.entries.length && i < this.limits.window; i++) {
      if (bytes >= this.limits.windowBytes) break;
      const e = this.entries[i] as WindowEntry;
      bytes += e.m.bytes;
      if (e.m.seq > cursor && !e.acked) out.push(e);
    }
    return out;
  }

  /** Entries not yet sent to anyone within the window. */
  unsentInWindow(): number {
    return this.sendable(this.sentSeq).length;
  }

  /** Marks entries `fromSeq..toSeq` that were sent (seq ≤ `sentUpTo`) as acked; returns the newly acked. */
  ack(fromSeq: bigint, toSeq: bigint, sentUpTo: bigint): WindowEntry[] {
    const newly: WindowEntry[] = [];
    for (const e of this.entries) {
      if (e.m.seq > toSeq || e.m.seq > sentUpTo) break;
      if (e.m.seq >= fromSeq && !e.acked) {
        e.acked = true;
        newly.push(e);
      }
    }
    this.settle();
    return newly;
  }

  /** Drops an entry unsent (cancelled after it was read): the position may pass it. */
  drop(e: WindowEntry): void {
    e.acked = true;
    this.settle();
  }

  /** Returns whether this was its first send; its ack is awaited from now on (a re-send restarts the wait). */
  markSent(e: WindowEntry, now: number): boolean {
    this.sentSeq = max(this.sentSeq, e.m.seq);
    const first = e.sentAt === 0;
    e.sentAt = now;
    return first;
  }

  /** When the oldest message sent and not acked went out (undefined: none is waiting). */
  oldestUnacked(): number | undefined {
    let oldest: number | undefined;
    for (const e of this.entries) if (!e.acked && e.sentAt !== 0 && (oldest === undefined || e.sentAt < oldest)) oldest = e.sentAt;
    return oldest;
  }

  private settle(): void {
    while (this.entries.length > 0 && (this.entries[0] as WindowEntry).acked) {
      const done = this.entries.shift() as WindowEntry;
      this.ackedSeq = done.m.seq;
      this.ackedId = done.m.id;
    }
    // Everything read is done: the position also passes what the reads skipped after it.
    if (this.entries.length === 0) {
      this.ackedSeq = max(this.ackedSeq, this.fetchedSeq);
      this.ackedId = max(this.ackedId, this.fetchedId);
    }
  }
}
