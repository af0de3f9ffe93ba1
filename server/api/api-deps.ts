import type { Logger } from "pino";
import type { Config } from "../config/config-schema.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { RateLimiter } from "../rate-limit/rate-limiter.ts";
import type { Enqueuer } from "../store/create-enqueuer.ts";
import type { Db } from "../store/prisma.ts";

export interface Readiness {
  ok: boolean;
  checks: Record<string, "ok" | "down" | "shutting_down">;
}

/** What the HTTP API needs from the rest of the hub. */
export interface ApiDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  enqueuer: Enqueuer;
  /** Open connections of `uid` across all instances. */
  presence: (uid: string) => Promise<number>;
  readiness: () => Promise<Readiness>;
  /** Signs a client token for `uid` (development/test only). */
  signToken: (uid: string) => Promise<string>;
  isShuttingDown: () => boolean;
  /** Per-API-key request limit (shared through Redis when configured). */
  rateLimiter: RateLimiter;
}
