import type { Logger } from "pino";
import { createBatcher } from "../lib/create-batcher.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import { markDelivered } from "../store/mark-delivered.ts";
import type { Db } from "../store/prisma.ts";
import { rescheduleClaimed, type Reschedule } from "../store/reschedule-claimed.ts";
import { retryDelayMs } from "./backoff.ts";
import type { AttemptResult } from "./outcome.ts";

export interface OutcomeWriterDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  retryBaseMs: number;
  retryMaxMs: number;
  /** After a flush that made messages claimable (deferred ones woken, heads rescheduled). */
  onProgress: () => void;
}

/**
 * Records attempt outcomes in batches: acks → delivered (one UPDATE), offline → parked until the uid
 * connects, timeouts → retried with backoff (fenced UPDATEs). A failed write loses nothing: the lease
 * simply runs out and the message is attempted again.
 */
export function createOutcomeWriter(deps: OutcomeWriterDeps) {
  const { db, logger, metrics } = deps;
  const batcher = createBatcher<AttemptResult, void>({
    maxItems: 1000,
    maxDelayMs: 5,
    flush: async (results) => {
      const acked = results.filter((r) => r.outcome === "acked");
      const reschedules: Reschedule[] = results
        .filter((r) => r.outcome !== "acked")
        .map(({ message: m, outcome, at }) => ({
          id: m.id,
          attempts: m.attempts,
          leaseUntil: m.leaseUntil,
          nextAttemptAt: outcome === "offline" ? null : new Date(at.getTime() + retryDelayMs(m.attempts, deps.retryBaseMs, deps.retryMaxMs)),
        }));
      const [{ delivered, woke }, rescheduled] = await Promise.all([
        markDelivered(db, acked.map((r) => r.message)).catch((err: unknown) => {
          logger.warn({ err, count: acked.length }, "could not record acks; the messages will be redelivered");
          return { delivered: 0, woke: 0 };
        }),
        rescheduleClaimed(db, reschedules).catch((err: unknown) => {
          logger.warn({ err, count: reschedules.length }, "could not reschedule attempts; their leases will expire");
          return 0;
        }),
      ]);
      metrics.acked.inc(delivered);
      for (const r of acked) metrics.deliveryLatency.observe((r.at.getTime() - r.message.createdAt.getTime()) / 1000);
      // Only messages deferred behind these (woke) or a parked/backed-off head can have become claimable.
      if (woke > 0 || rescheduled > 0) deps.onProgress();
      return results.map(() => undefined);
    },
  });
  return {
    record: (result: AttemptResult) => batcher.add(result),
    drain: () => batcher.drain(),
  };
}

export type OutcomeWriter = ReturnType<typeof createOutcomeWriter>;
