import type { Logger } from "pino";
import type { Config } from "../config/config-schema.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { RateLimiter } from "../rate-limit/rate-limiter.ts";
import type { Enqueuer } from "../store/create-enqueuer.ts";
import type { Db } from "../store/prisma.ts";
import type { TopicFanOut } from "../topics/create-topic-fan-out.ts";

/** Tells a uid's sockets what changed in its inbox (the realtime side implements it). */
export interface InboxNotices {
  readState(uid: string, change: { ids: string[] } | { upTo: string }, readAt: Date): void;
  /** The uid's unread count changed: its devices are told the new one. */
  unreadChanged(uid: string): void;
  /** Messages were cancelled: delivery sessions (on any instance) that read them must not send them. */
  cancelled(ids: bigint[]): void;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, "ok" | "down" | "shutting_down">;
}

/** Keeps the topic rooms of connected sockets in step with subscriptions, and sends live events (realtime side). */
export interface TopicNotices {
  joined(topic: string, uids: readonly string[]): void;
  left(topic: string, uids: readonly string[]): void;
  live(topic: string, event: string, data: unknown): void;
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
  /** Signs a client token for `uid`, with a `topics` claim when given (development/test only). */
  signToken: (uid: string, topics?: readonly string[]) => Promise<string>;
  isShuttingDown: () => boolean;
  /** Per-API-key request limit (shared through Redis when configured). */
  rateLimiter: RateLimiter;
  inbox: InboxNotices;
  topics: TopicNotices;
  /** Starts a stored publish's fan-out; hands over what an unsubscribe delivered. */
  fanOut: Pick<TopicFanOut, "published" | "appended">;
}
