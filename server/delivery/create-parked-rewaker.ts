import type { Logger } from "pino";
import type { Db } from "../store/prisma.ts";
import { wakeParked } from "../store/wake-parked.ts";

export interface ParkedRewakerDeps {
  db: Db;
  logger: Logger;
  /** Uids with at least one socket on this instance. */
  localUids: () => string[];
  nudge: () => void;
  everyMs: number;
}

const CHUNK = 1000;

/**
 * Every `everyMs` (run from the drainer's tick), re-wakes parked messages of locally connected uids:
 * a message parked by mistake waits seconds, never until the user reconnects.
 */
export function createParkedRewaker(deps: ParkedRewakerDeps) {
  let last = Date.now();
  return async (): Promise<void> => {
    if (Date.now() - last < deps.everyMs) return;
    last = Date.now();
    const uids = deps.localUids();
    let woke = 0;
    try {
      for (let i = 0; i < uids.length; i += CHUNK) woke += await wakeParked(deps.db, uids.slice(i, i + CHUNK));
    } catch (err) {
      deps.logger.debug({ err }, "could not re-wake parked messages");
    }
    if (woke > 0) {
      deps.logger.info({ woke }, "re-woke messages parked while their uid was connected");
      deps.nudge();
    }
  };
}
