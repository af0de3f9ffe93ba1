import type { Logger } from "pino";
import { createBatcher } from "../lib/create-batcher.ts";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import type { Db } from "../store/prisma.ts";
import { wakeHeads, type WakeResult } from "../store/wake-heads.ts";

interface ConnectWakerDeps {
  db: Db;
  logger: Logger;
  instance: string;
  /** Connects within this many ms share one statement. */
  batchMs?: number;
  /** Statements in flight at once: a reconnect storm uses at most this many database connections. */
  concurrency?: number;
  /** What the store answered for a uid (nothing for a uid asked twice in one statement). */
  onResult: (r: WakeResult) => void;
  /** After a failed statement a uid is asked again in `retryMs` if this still holds for it. */
  stillWanted: (uid: string) => boolean;
  retryMs?: number;
}

/**
 * Connects: once a socket has joined here, its uid is granted to this instance unless another live
 * instance holds it (SQL function push_hub_wake). Connects are batched (one statement for many uids)
 * with a cap on concurrent statements, so a storm of reconnects cannot take the connections ingest
 * needs. A uid is asked once at a time; when the database could not be asked it is asked again
 * while its socket stays.
 */
export function createConnectWaker(deps: ConnectWakerDeps) {
  const warn = createThrottledWarning(deps.logger);
  const batcher = createBatcher<string, WakeResult | undefined>({
    maxItems: 1000,
    maxDelayMs: deps.batchMs ?? 5,
    maxConcurrent: deps.concurrency ?? 2,
    flush: async (uids) => {
      const distinct = [...new Set(uids)].sort();
      const results = await wakeHeads(deps.db, distinct, deps.instance, false).catch((err: unknown) => {
        warn({ err }, "could not wake connecting uids; will retry");
        throw err;
      });
      const byUid = new Map(results.map((r) => [r.outcome === "held" ? r.uid : r.grant.uid, r]));
      const seen = new Set<string>();
      return uids.map((u) => (seen.has(u) ? undefined : (seen.add(u), byUid.get(u))));
    },
  });
  const waking = new Set<string>();
  const wake = (uid: string): void => {
    if (waking.has(uid)) return;
    waking.add(uid);
    batcher.add(uid).then(
      (result) => {
        waking.delete(uid);
        if (result) deps.onResult(result);
      },
      () => {
        waking.delete(uid);
        setTimeout(() => deps.stillWanted(uid) && wake(uid), deps.retryMs ?? 2000).unref();
      },
    );
  };
  return { wake, waking: (uid: string) => waking.has(uid), drain: () => batcher.drain() };
}
