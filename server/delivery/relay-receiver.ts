import type { MessagePayload } from "../protocol/message-payload.ts";
import { newerStamp, type UnreadStamp } from "../store/unread-stamp.ts";
import type { DeliveryTarget, OutgoingMessage } from "./delivery-target.ts";
import type { RelayNotice, RelayPort } from "./relay-notice.ts";

type Frame = Extract<RelayNotice, { t: "frame" }>;

interface SocketCursor {
  target: DeliveryTarget;
  sentUpTo: bigint;
}

/** What this instance relays of a uid another instance holds. */
interface Relayed {
  holder: string;
  lease: bigint;
  /** The number the next frame must carry (a frame missing in between asks for a catch-up instead). */
  nextFrame: number;
  synced: boolean;
  /** When a catch-up was last asked for (once a second at most). */
  askedAt: number;
  acked: bigint;
  /** Relayed and not known to be acked: what a socket that joins here is sent first. */
  buffer: OutgoingMessage[];
  unread?: UnreadStamp;
  sockets: Map<string, SocketCursor>;
}

/**
 * The receiving side of relays: sockets here of uids held by another instance. Frames are sent on to
 * every local socket of the uid, each socket from its own cursor, so each sees ascending seqs; a socket
 * that joins here is first sent what was relayed and is not yet acked. A frame that does not continue the
 * last one (a frame was lost) is not delivered: a catch-up is asked for instead, so a socket never gets a
 * later message before an earlier one. Acks go back to the holder.
 */
export function createRelayReceiver(deps: { port: RelayPort; localSockets: (uid: string) => Iterable<DeliveryTarget> }) {
  const relayed = new Map<string, Relayed>();

  const deliver = (uid: string, r: Relayed, cursor: SocketCursor) => {
    const batch = r.buffer.filter((m) => m.seq > cursor.sentUpTo);
    if (batch.length === 0) return;
    cursor.sentUpTo = (batch[batch.length - 1] as OutgoingMessage).seq;
    cursor.target.send(batch, r.unread, (from, to) => {
      if (relayed.get(uid) === r) deps.port.send(r.holder, { t: "ack", uid, lease: String(r.lease), from: String(from), to: String(to) });
    });
  };

  const adoptSockets = (uid: string, r: Relayed) => {
    for (const t of deps.localSockets(uid)) if (!r.sockets.has(t.key)) r.sockets.set(t.key, { target: t, sentUpTo: r.acked });
  };

  return {
    /** Whether sockets here get uid's messages through another instance. */
    has: (uid: string) => relayed.has(uid),

    /** A frame from the uid's holder; returns whether the uid's sockets here are in step with it. */
    frame(from: string, f: Frame): boolean {
      const lease = BigInt(f.lease);
      let r = relayed.get(f.uid);
      if (r && lease < r.lease) return false; // from a holding that has ended
      if (!r || lease > r.lease || r.holder !== from) {
        r = { holder: from, lease, nextFrame: 0, synced: false, askedAt: 0, acked: BigInt(f.acked), buffer: [], sockets: new Map() };
        relayed.set(f.uid, r);
        adoptSockets(f.uid, r);
      }
      if (r.sockets.size === 0) {
        relayed.delete(f.uid);
        deps.port.send(from, { t: "leave", uid: f.uid });
        return false;
      }
      const messages: OutgoingMessage[] = f.messages.map((m) => ({ seq: BigInt(m.seq), payload: m.payload as MessagePayload }));
      if (f.n === 0) {
        r.synced = true;
        r.buffer = [];
      } else if (!r.synced || f.n !== r.nextFrame) {
        // A frame before this one did not arrive (frame 0 included): ask for the window again, once a second.
        r.synced = false;
        if (Date.now() - r.askedAt >= 1000) {
          r.askedAt = Date.now();
          deps.port.send(from, { t: "join", uid: f.uid });
        }
        return false;
      }
      r.nextFrame = f.n + 1;
      const acked = BigInt(f.acked);
      if (acked > r.acked) r.acked = acked;
      for (const m of messages) if (!r.buffer.some((b) => b.seq === m.seq)) r.buffer.push(m);
      r.buffer.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
      r.buffer = r.buffer.filter((m) => m.seq > r.acked);
      r.unread = newerStamp(r.unread, f.unread);
      for (const cursor of r.sockets.values()) deliver(f.uid, r, cursor);
      return true;
    },

    /** A socket of a relayed uid joined here: it is sent what is relayed and not acked yet. */
    addSocket(uid: string, target: DeliveryTarget): void {
      const r = relayed.get(uid);
      if (!r) return;
      r.sockets.get(target.key)?.target.forget();
      const cursor = { target, sentUpTo: r.acked };
      r.sockets.set(target.key, cursor);
      if (r.synced) deliver(uid, r, cursor);
    },

    /** A socket left; the last one of a uid ends its relay (the holder is told). */
    removeSocket(uid: string, key: string): void {
      const r = relayed.get(uid);
      if (!r || !r.sockets.delete(key)) return;
      if (r.sockets.size > 0) return;
      relayed.delete(uid);
      deps.port.send(r.holder, { t: "leave", uid });
    },

    /** The holder stopped: what it relayed is dropped (a new holder sends the window again). */
    end(from: string, uid: string, lease: bigint): void {
      const r = relayed.get(uid);
      if (!r || r.holder !== from || r.lease !== lease) return;
      for (const c of r.sockets.values()) c.target.forget();
      relayed.delete(uid);
    },

    /** This instance holds the uid now: it sends to its sockets itself. */
    drop(uid: string): void {
      const r = relayed.get(uid);
      if (!r) return;
      for (const c of r.sockets.values()) c.target.forget();
      relayed.delete(uid);
    },
  };
}

export type RelayReceiver = ReturnType<typeof createRelayReceiver>;
