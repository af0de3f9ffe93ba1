import type { Logger } from "pino";
import { unreadStamps } from "../store/inbox/unread-counts.ts";
import type { Db } from "../store/prisma.ts";
import type { UnreadStamp } from "../store/unread-stamp.ts";
import { unreadPayload } from "./create-socket-target.ts";
import type { HubServer, UnreadPayload } from "./events.ts";
import { userRoom } from "./rooms.ts";

interface InboxBroadcasterDeps {
  /** The Socket.IO server (a getter: the server is created after the handlers that use this). */
  io: () => HubServer;
  db: Db;
  logger: Logger;
  /** Changes to one uid's count within this long go out as one `unread` event (UNREAD_PUSH_MS). */
  delayMs: number;
}

const CHUNK = 1000;

/**
 * Tells every socket of a uid, on any instance, what changed in its inbox: `unread` (coalesced per uid
 * over delayMs, read in one query for all pending uids, stamped with the counters it is made of, so a
 * device never goes back to an older count) and `readState` (at once). Deliveries carry their own count
 * (on frames, or an `unread` after them): this is for reads, cancels, expiry and retention, and greetings.
 */
export function createInboxBroadcaster(deps: InboxBroadcasterDeps) {
  const toUid = (uid: string) => deps.io().to(userRoom(uid));
  const pending = new Set<string>();
  /** Sockets that just connected, waiting for their uid's count. */
  const greetings: { uid: string; send: (payload: UnreadPayload) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = async () => {
    timer = undefined;
    const changed = [...pending];
    pending.clear();
    const greet = greetings.splice(0);
    const uids = [...new Set([...changed, ...greet.map((g) => g.uid)])];
    const stamps = new Map<string, UnreadStamp>();
    try {
      for (let i = 0; i < uids.length; i += CHUNK) {
        for (const [uid, stamp] of await unreadStamps(deps.db, uids.slice(i, i + CHUNK))) stamps.set(uid, stamp);
      }
    } catch (err) {
      deps.logger.warn({ err, uids: uids.length }, "could not read unread counts; they are sent with the next change");
    }
    for (const uid of changed) {
      const stamp = stamps.get(uid);
      if (stamp) toUid(uid).emit("unread", unreadPayload(stamp));
    }
    for (const g of greet) {
      const stamp = stamps.get(g.uid);
      if (stamp) g.send(unreadPayload(stamp));
    }
  };

  const schedule = () => {
    if (timer === undefined && !closed) timer = setTimeout(() => void flush(), deps.delayMs);
  };

  return {
    /** The uid's unread count changed (a read, a cancel): its devices are told the new one. */
    unreadChanged(uid: string): void {
      pending.add(uid);
      schedule();
    },
    /** Many at once (expiry, retention). */
    unreadChangedMany(uids: Iterable<string>): void {
      for (const uid of uids) pending.add(uid);
      schedule();
    },
    /** A socket of `uid` connected: it gets the current count with the next flush. */
    greet(uid: string, send: (payload: UnreadPayload) => void): void {
      greetings.push({ uid, send });
      schedule();
    },
    readState(uid: string, change: { ids: string[] } | { upTo: string }, readAt: Date): void {
      toUid(uid).emit("readState", { ...change, readAt: readAt.toISOString() });
    },
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      pending.clear();
      greetings.length = 0;
    },
  };
}

export type InboxBroadcaster = ReturnType<typeof createInboxBroadcaster>;
