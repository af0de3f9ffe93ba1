import type { Logger } from "pino";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { Db } from "../store/prisma.ts";
import type { SqlRunner } from "../store/sql-runner.ts";
import type { MessageTracer } from "../tracing/message-tracer.ts";
import type { RelayPort } from "./relay-notice.ts";

export interface DeliveryEngineDeps {
  /** Claims, reads, records, ends, the heartbeat. */
  db: Db;
  /** Position records, on db's pool. */
  sql: SqlRunner;
  /** Connect wake-ups and the periodic checks. */
  controlDb: Db;
  logger: Logger;
  metrics: Metrics;
  /** This hub instance's id (its row in hub_instances). */
  instance: string;
  cron: string;
  batch: number;
  window: number;
  windowBytes: number;
  /** Most messages one frame (or batch of events) to a socket carries. */
  batchMax: number;
  ackTimeoutMs: number;
  /** How long one heartbeat keeps this instance (and what it holds) alive. */
  aliveMs: number;
  /** Sending stops this long before this instance's life would run out unrenewed. */
  aliveSafetyMs: number;
  /** Messages held by this instance's holdings at most (read unsent, or sent unacked). */
  maxInFlight: number;
  retryBaseMs: number;
  retryMaxMs: number;
  flushMs: number;
  flushConcurrency: number;
  /** A holding whose last socket here left waits this long for one to come back. */
  offlineGraceMs: number;
  recordMs: number;
  /** Other instances (absent without Redis: one instance). */
  relay?: RelayPort;
  /** Instances other than this one holding sockets of a uid. */
  locate: (uid: string) => Promise<string[]>;
  /** DRAIN_NUDGE: claim right after a holding is handed back (off: the cron schedule alone claims). */
  nudgeDrain: boolean;
  /** Spans of emits and acks (absent unless OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  tracer?: Pick<MessageTracer, "emitted" | "acked" | "relayed" | "received">;
}
