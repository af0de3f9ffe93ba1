import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { registerProcessMetrics } from "./process-metrics.ts";

/** All of one hub's Prometheus metrics, in a registry of its own (several hubs may share a process in tests). */
const PHASES = ["queue", "commit", "handover", "ack", "read", "record", "end"] as const;
export type Phase = (typeof PHASES)[number];

export function createMetrics() {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const reg = [registry];
  const phase = new Histogram({
    name: "pushhub_phase_seconds",
    help:
      "Where a message's time goes: queue (request waits for its group commit), commit (the group commit's statement), " +
      "handover (commit to first send, this instance or the holder it was relayed to), ack (first send to first ack), " +
      "and the holders' statements read, record and end",
    labelNames: ["phase"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: reg,
  });
  // One child per phase, bound once: observing a labelled histogram per message would hash the labels each time.
  const phases = Object.fromEntries(PHASES.map((p) => [p, phase.labels({ phase: p })])) as unknown as Record<Phase, { observe(v: number): void }>;
  // Checked at scrape time (a database and a Redis ping), not recorded from /readyz calls: a deployment
  // that never probes /readyz would otherwise export a stale value.
  let isReady: (() => Promise<boolean>) | undefined;
  new Gauge({
    name: "pushhub_ready",
    help: "1 while this instance would answer /readyz with 200 (database and Redis answer, not shutting down), else 0; checked at each scrape",
    registers: reg,
    async collect() {
      if (isReady) this.set((await isReady().catch(() => false)) ? 1 : 0);
    },
  });
  return {
    registry,
    /** Makes each scrape set pushhub_ready from `check` (the /readyz verdict); a later call replaces an earlier one. */
    reportReadiness: (check: () => Promise<boolean>) => {
      isReady = check;
    },
    /** Observes `seconds` for a phase (the pushhub_phase_seconds histogram). */
    phase: (p: Phase, seconds: number) => phases[p].observe(seconds),
    connections: new Gauge({ name: "pushhub_connections", help: "Open Socket.IO connections on this instance", registers: reg }),
    accepted: new Counter({ name: "pushhub_messages_accepted_total", help: "Messages durably stored (2xx to the producer)", registers: reg }),
    topicFannedOut: new Counter({
      name: "pushhub_topic_messages_fanned_out_total",
      help: "Recipient messages written by topic publishes' fan-out (one per subscriber of a publish)",
      registers: reg,
    }),
    delivered: new Counter({
      name: "pushhub_messages_delivered_total",
      help: "Delivery attempts that reached at least one socket (first attempts and redeliveries)",
      registers: reg,
    }),
    acked: new Counter({ name: "pushhub_messages_acked_total", help: "Messages acked by a client (now delivered)", registers: reg }),
    redelivered: new Counter({ name: "pushhub_messages_redelivered_total", help: "Attempts after the first", registers: reg }),
    expired: new Counter({
      name: "pushhub_messages_expired_total",
      help: "Messages skipped undelivered because they expired (or left with their partition)",
      registers: reg,
    }),
    inboxRequests: new Counter({
      name: "pushhub_inbox_requests_total",
      help: "Sockets' inbox requests (sync, read, readUpTo) by outcome: ok, or the error code they were answered with, or dropped (queued when the socket disconnected)",
      labelNames: ["event", "outcome"] as const,
      registers: reg,
    }),
    connectionsRefused: new Counter({
      name: "pushhub_connections_refused_total",
      help: "TCP connections refused with 503 because this process held MAX_CONNECTIONS",
      registers: reg,
    }),
    parked: new Counter({ name: "pushhub_messages_parked_total", help: "Holdings given up with messages pending and nobody of the uid connected (they wait for a connect)", registers: reg }),
    ackTimeouts: new Counter({
      name: "pushhub_ack_timeouts_total",
      help: "Times a uid's oldest unacked message waited past ACK_TIMEOUT_MS (once per uid and timeout; the uid backs off and is sent again)",
      registers: reg,
    }),
    inFlight: new Gauge({ name: "pushhub_deliveries_in_flight", help: "Messages this instance's holdings keep in memory (sent unacked or read unsent)", registers: reg }),
    queueDepth: new Gauge({
      name: "pushhub_queue_depth",
      help: "Messages queued (not yet acked), offline backlogs included; computed every 5 s in the background",
      registers: reg,
    }),
    housekeepingRuns: new Counter({
      name: "pushhub_housekeeping_runs_total",
      help: "Runs of each housekeeping job (recheck, reap, partitions, expiry, queue_depth, vacuum) by result",
      labelNames: ["job", "result"] as const,
      registers: reg,
    }),
    housekeepingDuration: new Histogram({
      name: "pushhub_housekeeping_duration_seconds",
      help: "Duration of each housekeeping job run",
      labelNames: ["job"] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: reg,
    }),
    drainDuration: new Histogram({
      name: "pushhub_drain_step_duration_seconds",
      help: "One claim of due uids and their first windows",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: reg,
    }),
    deliveryLatency: new Histogram({
      name: "pushhub_delivery_latency_seconds",
      help: "Acceptance to first ack",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: reg,
    }),
    httpErrors: new Counter({
      name: "pushhub_http_errors_total",
      help: "HTTP error answers by their error code (docs/api.md) and status",
      labelNames: ["code", "status"] as const,
      registers: reg,
    }),
    webhookPending: new Gauge({
      name: "pushhub_webhook_pending_events",
      help: "Webhook events not yet accepted by their endpoint (waiting, being sent or retried), per endpoint id; computed every 5 s",
      labelNames: ["endpoint"] as const,
      registers: reg,
    }),
    webhookEventsSent: new Counter({
      name: "pushhub_webhook_events_sent_total",
      help: "Webhook events in POSTs their endpoint answered with 2xx, per endpoint id",
      labelNames: ["endpoint"] as const,
      registers: reg,
    }),
    webhookAttempts: new Counter({
      name: "pushhub_webhook_attempts_total",
      help: "Webhook POST attempts by endpoint id and outcome: sent (2xx), retry (failed, tried again later), failed (no retries left), disable (410 Gone)",
      labelNames: ["endpoint", "outcome"] as const,
      registers: reg,
    }),
    webhookAttemptDuration: new Histogram({
      name: "pushhub_webhook_attempt_duration_seconds",
      help: "One webhook POST attempt, from connect to the end of the answer (or the error), per endpoint id",
      labelNames: ["endpoint"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: reg,
    }),
    httpDuration: new Histogram({
      name: "pushhub_http_request_duration_seconds",
      help: "HTTP request latency by route and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: reg,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
