import type { EndRequest } from "../store/end-holdings.ts";
import { retryDelayMs } from "./backoff.ts";
import type { HolderIo } from "./create-holder-io.ts";
import type { DeliveryEngineDeps } from "./delivery-engine-deps.ts";
import type { EndedSession, SessionDeps, SessionEnd } from "./session-deps.ts";

export interface SessionDepsInput {
  deps: DeliveryEngineDeps;
  /** This instance is sure it is still alive. */
  alive: () => boolean;
  isCancelled: (id: bigint) => boolean;
  io: Pick<HolderIo, "read" | "record" | "end">;
  onHeld: (delta: number) => void;
  onEnd: (session: EndedSession, result: SessionEnd, request?: EndRequest) => void;
}

/** What every holding of the engine shares: its limits, the store's batched calls, and the metrics it feeds. */
export function createSessionDeps({ deps, alive, isCancelled, io, onHeld, onEnd }: SessionDepsInput): SessionDeps {
  const { metrics } = deps;
  return {
    window: deps.window,
    windowBytes: deps.windowBytes,
    batchMax: deps.batchMax,
    ackTimeoutMs: deps.ackTimeoutMs,
    recordMs: deps.recordMs,
    offlineGraceMs: deps.offlineGraceMs,
    canSend: alive,
    isCancelled,
    read: io.read,
    record: io.record,
    end: io.end,
    locate: deps.locate,
    backoffMs: (failures) => retryDelayMs(failures, deps.retryBaseMs, deps.retryMaxMs),
    onFirstSend: (m, attempt) => {
      metrics.delivered.inc();
      deps.tracer?.emitted(m, attempt);
      if (attempt > 1) metrics.redelivered.inc();
      else metrics.phase("handover", Math.max(0, Date.now() - m.createdAt.getTime()) / 1000);
    },
    onAcked: (m, sentMs) => {
      metrics.acked.inc();
      deps.tracer?.acked(m, sentMs);
      metrics.deliveryLatency.observe(Math.max(0, Date.now() - m.createdAt.getTime()) / 1000);
      metrics.phase("ack", sentMs / 1000);
    },
    onTimeout: () => metrics.ackTimeouts.inc(),
    onSkipped: (n) => metrics.expired.inc(n),
    onHeld,
    onEnd,
  };
}
