import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { heartbeat } from "../store/instance-liveness.ts";
import type { Db } from "../store/prisma.ts";

interface LivenessDeps {
  db: Db;
  logger: Logger;
  instance: string;
  /** How long one heartbeat keeps the instance alive (others take its uids once it lapses). */
  aliveMs: number;
  /** Sending stops this long before the instance's life would run out unrenewed. */
  safetyMs: number;
  everyMs?: number;
  now?: () => number;
}

/**
 * This instance's life in the database (hub_instances): renewed every second. While a renewal is
 * missing the instance still knows until when it was granted, and stops sending `safetyMs` before:
 * after that the uids it holds may already be someone else's.
 */
export function createLiveness(deps: LivenessDeps) {
  const now = deps.now ?? Date.now;
  const warn = createThrottledWarning(deps.logger);
  let aliveUntil = 0;
  let timer: NodeJS.Timeout | undefined;

  const beat = async (): Promise<void> => {
    const sentAt = now();
    const left = await heartbeat(deps.db, deps.instance, deps.aliveMs);
    // Counted from when it was asked: the database's now() came after that, so this never overestimates.
    aliveUntil = Math.max(aliveUntil, sentAt + left);
  };

  return {
    /** The first heartbeat: the instance must exist before it may hold anything. */
    start: async (): Promise<void> => {
      await beat();
      const tick = () => {
        timer = setTimeout(() => beat().catch((err: unknown) => warn({ err }, "heartbeat failed")).finally(() => timer && tick()), deps.everyMs ?? 1000);
        timer.unref();
      };
      tick();
    },
    alive: (): boolean => now() < aliveUntil - deps.safetyMs,
    stop: (): void => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
