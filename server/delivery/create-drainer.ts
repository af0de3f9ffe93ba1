import { CronJob } from "cron";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { ClaimedMessage } from "../store/claimed-message.ts";
import { claimDue } from "../store/claim-due.ts";
import { expireDue } from "../store/expire-due.ts";
import type { Db } from "../store/prisma.ts";
import { rescheduleClaimed } from "../store/reschedule-claimed.ts";
import type { MessageEmitter } from "./create-message-emitter.ts";
import type { OutcomeWriter } from "./create-outcome-writer.ts";

export interface DrainerDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  emit: MessageEmitter;
  outcomes: OutcomeWriter;
  cron: string;
  batch: number;
  leaseMs: number;
  maxInFlight: number;
  /** Runs at every cron tick before the drain (housekeeping such as re-waking parked messages). */
  onTick?: () => Promise<void>;
}

/**
 * Delivers due messages: the cron job (DRAIN_CRON) and nudges (a commit, an ack, a connect) start a
 * drain that claims batches until nothing is due. Attempts are emitted without waiting for their acks;
 * their outcomes are written as they come, at most `maxInFlight` at a time.
 */
export function createDrainer(deps: DrainerDeps) {
  const { db, logger, metrics } = deps;
  const inFlight = new Map<bigint, ClaimedMessage>();
  const attempts = new Set<Promise<void>>();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastFailure = 0;

  const attempt = (m: ClaimedMessage) => {
    inFlight.set(m.id, m);
    const p = deps
      .emit(m)
      .then(async (outcome) => {
        if (outcome !== "offline") metrics.delivered.inc();
        if (outcome !== "offline" && m.attempts > 1) metrics.redelivered.inc();
        if (outcome === "offline") metrics.parked.inc();
        if (outcome === "timeout") metrics.ackTimeouts.inc();
        await deps.outcomes.record({ message: m, outcome, at: new Date() });
      })
      .finally(() => {
        inFlight.delete(m.id);
        attempts.delete(p);
        metrics.inFlight.set(inFlight.size);
      });
    attempts.add(p);
    metrics.inFlight.set(inFlight.size);
  };

  const loop = async () => {
    while (!stopped) {
      again = false;
      const room = deps.maxInFlight - inFlight.size;
      if (room <= 0) {
        await Promise.race(attempts);
        continue;
      }
      const limit = Math.min(deps.batch, room);
      const end = metrics.drainDuration.startTimer();
      const claimed = await claimDue(db, limit, deps.leaseMs);
      for (const m of claimed) attempt(m);
      end();
      if (claimed.length < limit && !again) break;
    }
  };

  const drain = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = loop()
      .catch((err: unknown) => {
        // Typically the database is away; the next tick tries again. Log once per 10 s, not per tick.
        if (Date.now() - lastFailure > 10_000) logger.warn({ err }, "drain failed; retrying on the next tick");
        lastFailure = Date.now();
      })
      .finally(() => {
        running = null;
        if (again && !stopped) void drain();
      });
    return running;
  };

  const tick = async () => {
    try {
      const expired = await expireDue(db, 1000);
      if (expired > 0) metrics.expired.inc(expired);
    } catch {
      // reported by drain below if the database is away
    }
    await deps.onTick?.();
    await drain();
  };

  const job = CronJob.from({ cronTime: deps.cron, onTick: tick, start: false, waitForCompletion: true });

  return {
    start: () => job.start(),
    /** Runs a drain soon (coalesced with one in progress). */
    nudge: () => void drain(),
    get inFlight() {
      return inFlight.size;
    },
    /**
     * Shutdown: no new claims; waits for outcomes until `deadline`, then hands the attempts still
     * pending back to the queue (due now) so another instance delivers them at once.
     */
    async stop(deadline: number): Promise<void> {
      stopped = true;
      await job.stop();
      await running;
      const waitAll = Promise.allSettled([...attempts]);
      const timeLeft = Math.max(0, deadline - Date.now());
      await Promise.race([waitAll, new Promise((r) => setTimeout(r, timeLeft).unref())]);
      await deps.outcomes.drain();
      const left = [...inFlight.values()];
      if (left.length > 0) {
        const now = new Date();
        const released = await rescheduleClaimed(
          db,
          left.map((m) => ({ id: m.id, attempts: m.attempts, leaseUntil: m.leaseUntil, nextAttemptAt: now })),
        ).catch(() => 0);
        logger.info({ pending: left.length, released }, "released unfinished delivery attempts");
      }
    },
  };
}

export type Drainer = ReturnType<typeof createDrainer>;
