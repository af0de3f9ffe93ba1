import type { Logger } from "pino";
import type { Db } from "../store/prisma.ts";
import { wakeUid } from "../store/wake-uid.ts";

export interface BacklogDeps {
  db: Db;
  logger: Logger;
  nudge: () => void;
  retryMs?: number;
}

/**
 * Backlog on connect: once a socket has joined its uid's room, the uid's queued messages (parked while
 * it was offline) become due and the drainer delivers them, oldest first, through the same `message`
 * event and ack path as live ones. If the database is away, it tries again while the socket stays.
 */
export function createBacklog(deps: BacklogDeps) {
  const retryMs = deps.retryMs ?? 2000;
  const wake = async (uid: string, stillConnected: () => boolean): Promise<void> => {
    try {
      const woke = await wakeUid(deps.db, uid);
      if (woke > 0) deps.nudge();
    } catch (err) {
      deps.logger.warn({ err }, "could not wake a connecting uid's backlog; will retry");
      setTimeout(() => {
        if (stillConnected()) void wake(uid, stillConnected);
      }, retryMs).unref();
    }
  };
  return wake;
}
