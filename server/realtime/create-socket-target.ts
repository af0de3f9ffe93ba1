import type { DeliveryTarget } from "../delivery/delivery-target.ts";
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
  const frames = socket.data.frames;
  const waiting = new Set<number>(); // ack ids registered on the socket, for `forget`
  const nsp = socket.nsp as unknown as { _ids: number };
  let lastUnread: UnreadStamp | undefined;

  const emitWithAck = (emit: (ack: () => void) => void, onAck: () => void) => {
    const id = nsp._ids; // the id Socket.IO gives the ack of the next emit
    waiting.add(id);
    emit(() => {
      waiting.delete(id);
      onAck();
    });
  };

  return {
    key: socket.id,
    send(batch, unread, onAck) {
      const first = batch[0]?.seq;
      const last = batch[batch.length - 1]?.seq;
      if (!socket.connected || first === undefined || last === undefined) return;
      if (frames) {
        const payload = { messages: batch.map((m) => m.payload), ...(unread ? { unread: unreadPayload(unread) } : {}) };
        emitWithAck((ack) => socket.emit("messages", payload, ack), () => onAck(first, last));
      } else {
        for (const m of batch) emitWithAck((ack) => socket.emit("message", m.payload, ack), () => onAck(m.seq, m.seq));
        if (unread && (lastUnread?.total !== unread.total || lastUnread.cleared !== unread.cleared)) socket.emit("unread", unreadPayload(unread));
      }
      if (unread) lastUnread = unread;
    },
    forget() {
      const acks = (socket as unknown as { acks?: Map<number, unknown> }).acks;
      for (const id of waiting) acks?.delete(id);
      waiting.clear();
    },
  };
}
