import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface MetricsDeps {
  /** Counts queued messages for the queue-depth gauge (read at scrape time). */
  queueDepth: () => Promise<number>;
}

/** All of one hub's Prometheus metrics, in a registry of its own (several hubs may share a process in tests). */
export function createMetrics(deps: MetricsDeps) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "pushhub_process_" });
  const reg = [registry];
  return {
    registry,
    connections: new Gauge({ name: "pushhub_connections", help: "Open Socket.IO connections on this instance", registers: reg }),
    accepted: new Counter({ name: "pushhub_messages_accepted_total", help: "Messages durably stored (2xx to the producer)", registers: reg }),
    delivered: new Counter({
      name: "pushhub_messages_delivered_total",
      help: "Delivery attempts emitted to an online uid (first attempts and redeliveries)",
      registers: reg,
    }),
    acked: new Counter({ name: "pushhub_messages_acked_total", help: "Messages acked by a client (now delivered)", registers: reg }),
    redelivered: new Counter({ name: "pushhub_messages_redelivered_total", help: "Attempts after the first", registers: reg }),
    expired: new Counter({ name: "pushhub_messages_expired_total", help: "Messages that expired undelivered", registers: reg }),
    parked: new Counter({ name: "pushhub_messages_parked_total", help: "Attempts that found the uid offline (kept for its backlog)", registers: reg }),
    ackTimeouts: new Counter({ name: "pushhub_ack_timeouts_total", help: "Attempts whose ack did not come in time", registers: reg }),
    inFlight: new Gauge({ name: "pushhub_deliveries_in_flight", help: "Emitted attempts awaiting their outcome", registers: reg }),
    queueDepth: new Gauge({
      name: "pushhub_queue_depth",
      help: "Messages queued (not yet acked), offline backlogs included",
      registers: reg,
      async collect() {
        try {
          this.set(await deps.queueDepth());
        } catch {
          // the database is unreachable: keep the last value; /readyz reports the outage
        }
      },
    }),
    drainDuration: new Histogram({
      name: "pushhub_drain_step_duration_seconds",
      help: "One drain step: claim and emit a batch",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: reg,
    }),
    deliveryLatency: new Histogram({
      name: "pushhub_delivery_latency_seconds",
      help: "Acceptance to first ack",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
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
