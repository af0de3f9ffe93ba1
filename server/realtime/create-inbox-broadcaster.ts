import type { Logger } from "pino";
import { unreadCounts } from "../store/inbox/unread-counts.ts";
import type { Db } from "../store/prisma.ts";
import type { HubServer } from "./events.ts";
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
 * Tells every socket of a uid, on any instance, what changed in its inbox: `unread {count}` (coalesced
 * per uid over delayMs, counted in one query for all pending uids) and `readState` (at once).
 */
export function createInboxBroadcaster(deps: InboxBroadcasterDeps) {
  const toUid = (uid: string) => deps.io().to(userRoom(uid));
  /** uid → its count when the change already told it, undefined when it must be read. */
  const pending = new Map<string, number | undefined>();
  /** Sockets that just connected, waiting for their uid's count. */
  const greetings: { uid: string; send: (count: number) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = async () => {
    timer = undefined;
    const batch = [...pending];
    pending.clear();
    const greet = greetings.splice(0);
    const unknown = [...new Set([...batch.filter(([, count]) => count === undefined).map(([uid]) => uid), ...greet.map((g) => g.uid)])];
    const counts = new Map(batch.filter((e): e is [string, number] => e[1] !== undefined));
    try {
      for (let i = 0; i < unknown.length; i += CHUNK) {
        for (const [uid, count] of await unreadCounts(deps.db, unknown.slice(i, i + CHUNK))) counts.set(uid, count);
      }
    } catch (err) {
      deps.logger.warn({ err, uids: unknown.length }, "could not read unread counts; they are sent with the next change");
    }
    for (const [uid] of batch) {
      const count = counts.get(uid);
      if (count !== undefined) toUid(uid).emit("unread", { count });
    }
    for (const g of greet) if (counts.has(g.uid)) g.send(counts.get(g.uid) as number);
  };

  const schedule = () => {
    if (timer === undefined && !closed) timer = setTimeout(() => void flush(), deps.delayMs);
  };

  return {
    /** The uid's unread count changed; `count` when the change knows it (a read), else it is read back. */
    unreadChanged(uid: string, count?: number): void {
      pending.set(uid, pending.has(uid) && pending.get(uid) === undefined ? undefined : count);
      schedule();
    },
    /** Many counts at once (expiry, retention). */
    unreadCounts(counts: Map<string, number>): void {
      for (const [uid, count] of counts) pending.set(uid, count);
      schedule();
    },
    /** A socket of `uid` connected: it gets the current count with the next flush. */
    greet(uid: string, send: (count: number) => void): void {
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
