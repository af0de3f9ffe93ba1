import type { Logger } from "pino";
import { createBatcher } from "../lib/create-batcher.ts";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import type { Db } from "../store/prisma.ts";
import { wakeStreams } from "../store/wake-streams.ts";

interface ConnectWakerDeps {
  db: Db;
  logger: Logger;
  /** Some stream became due: drain now. */
  nudge: () => void;
  /** Connects within this many ms share one statement. */
  batchMs?: number;
  /** Statements in flight at once: a reconnect storm uses at most this many database connections. */
  concurrency?: number;
  retryMs?: number;
}

/**
 * Backlog on connect: once a socket has joined its uid's room, the uid's parked (or backing-off) stream
 * becomes due and the engine delivers its backlog, oldest first, through the same `message` event and
 * ack path as live messages. Connects are woken in batches (one statement for many uids) with a cap
 * on concurrent statements, so a storm of reconnects cannot take the connections ingest needs. If the
 * database is away, it tries again while the socket stays.
 */
export function createConnectWaker(deps: ConnectWakerDeps) {
  const retryMs = deps.retryMs ?? 2000;
  const warn = createThrottledWarning(deps.logger);
  const batcher = createBatcher<string, void>({
    maxItems: 1000,
    maxDelayMs: deps.batchMs ?? 5,
    maxConcurrent: deps.concurrency ?? 2,
    flush: async (uids) => {
      const due = await wakeStreams(deps.db, [...new Set(uids)].sort(), false);
      if (due.length > 0) deps.nudge();
      return uids.map(() => undefined);
    },
  });
  const wake = (uid: string, stillConnected: () => boolean): void => {
    batcher.add(uid).catch((err: unknown) => {
      warn({ err }, "could not wake connecting uids' backlogs; will retry");
      setTimeout(() => {
        if (stillConnected()) wake(uid, stillConnected);
      }, retryMs).unref();
    });
  };
  return { wake, drain: () => batcher.drain() };
}
