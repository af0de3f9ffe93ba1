import type { UnreadStamp } from "../store/unread-stamp.ts";
import type { AckListener, DeliveryTarget, OutgoingMessage } from "./delivery-target.ts";
import type { RelayPort } from "./relay-notice.ts";

interface Pending {
  from: bigint;
  to: bigint;
  onAck: AckListener;
}

/**
 * Another instance with sockets of a uid this instance holds, as one target: batches go to it as numbered
 * frames (frame 0 a catch-up from the acked position), its sockets' acks come back through `ack`.
 */
export class RelayTarget implements DeliveryTarget {
  readonly key: string;
  private pending: Pending[] = [];
  private frames = 0;
  private ended = false;

  constructor(
    readonly instance: string,
    private readonly uid: string,
    private readonly lease: bigint,
    private readonly ackedSeq: () => bigint,
    private readonly port: RelayPort,
  ) {
    this.key = relayKey(instance);
  }

  send(batch: OutgoingMessage[], unread: UnreadStamp | undefined, onAck: AckListener): void {
    if (this.ended || batch.length === 0) return;
    this.pending.push({ from: (batch[0] as OutgoingMessage).seq, to: (batch[batch.length - 1] as OutgoingMessage).seq, onAck });
    this.frame(batch, unread);
  }

  /** Answers the join even when nothing is waiting to be sent: an empty catch-up (frame 0). */
  opened(unread: UnreadStamp | undefined): void {
    if (!this.ended && this.frames === 0) this.frame([], unread);
  }

  private frame(batch: OutgoingMessage[], unread: UnreadStamp | undefined): void {
    this.port.send(this.instance, {
      t: "frame",
      uid: this.uid,
      lease: String(this.lease),
      n: this.frames++,
      acked: String(this.ackedSeq()),
      ...(unread ? { unread } : {}),
      messages: batch.map((m) => ({ seq: String(m.seq), payload: m.payload })),
    });
  }

  /** Its sockets acked `from..to`. */
  ack(from: bigint, to: bigint): void {
    const keep: Pending[] = [];
    for (const p of this.pending) {
      if (p.from <= to && p.to >= from) p.onAck(from > p.from ? from : p.from, to < p.to ? to : p.to);
      if (p.to > to) keep.push(p);
    }
    this.pending = keep;
  }

  forget(): void {
    this.pending = [];
    if (this.ended) return;
    this.ended = true;
    this.port.send(this.instance, { t: "end", uid: this.uid, lease: String(this.lease) });
  }
}

export const relayKey = (instance: string) => `relay:${instance}`;
