import type { AckListener, DeliveryTarget, OutgoingMessage } from "../delivery/delivery-target.ts";
import { unreadCount, type UnreadStamp } from "../store/unread-stamp.ts";
import type { HubSocket, UnreadPayload } from "./events.ts";

export const unreadPayload = (s: UnreadStamp): UnreadPayload => ({ count: unreadCount(s), total: s.total, cleared: s.cleared });

/**
 * A socket of a uid as a delivery target. A socket that asked for frames in its handshake
 * (`auth.frames: true`, as the client SDK does) gets each batch as one `messages` event with one ack and
 * the uid's unread count on it; a plain Socket.IO client gets one `message` event per message, each
 * with its own ack, then an `unread` event when the count changed.
 */
export function createSocketTarget(socket: HubSocket): DeliveryTarget {
  return new SocketTarget(socket);
}

// A class, not a closure per method: one of these lives for every connected socket.
class SocketTarget implements DeliveryTarget {
  readonly key: string;
  /** Ack ids registered on the socket and not yet answered, for `forget` (made at the first send). */
  private waiting: Set<number> | undefined;
  private lastUnread: UnreadStamp | undefined;

  constructor(private readonly socket: HubSocket) {
    this.key = socket.id;
  }

  send(batch: OutgoingMessage[], unread: UnreadStamp | undefined, onAck: AckListener): void {
    const first = batch[0]?.seq;
    const last = batch[batch.length - 1]?.seq;
    const socket = this.socket;
    if (!socket.connected || first === undefined || last === undefined) return;
    if (socket.data.frames) {
      const payload = { messages: batch.map((m) => m.payload), ...(unread ? { unread: unreadPayload(unread) } : {}) };
      const id = this.expectAck();
      socket.emit("messages", payload, () => this.acked(id, () => onAck(first, last)));
    } else {
      for (const m of batch) {
        const id = this.expectAck();
        socket.emit("message", m.payload, () => this.acked(id, () => onAck(m.seq, m.seq)));
      }
      const known = this.lastUnread;
      if (unread && (known?.total !== unread.total || known.cleared !== unread.cleared)) socket.emit("unread", unreadPayload(unread));
    }
    if (unread) this.lastUnread = unread;
  }

  forget(): void {
    if (!this.waiting) return;
    const acks = (this.socket as unknown as { acks?: Map<number, unknown> }).acks;
    for (const id of this.waiting) acks?.delete(id);
    this.waiting.clear();
  }

  /** The id Socket.IO gives the ack of the next emit, kept until it is answered. */
  private expectAck(): number {
    const id = (this.socket.nsp as unknown as { _ids: number })._ids;
    (this.waiting ??= new Set()).add(id);
    return id;
  }

  private acked(id: number, then: () => void): void {
    this.waiting?.delete(id);
    then();
  }
}
