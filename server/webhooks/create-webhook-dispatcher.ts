import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { Db } from "../store/prisma.ts";
import {
  batchWebhookEvents,
  claimWebhookBatches,
  finishWebhookAttempt,
  pruneWebhookHistory,
  webhookBacklog,
  type ClaimedBatch,
} from "../store/webhooks/webhook-queue.ts";
import { attemptOutcome } from "./attempt-outcome.ts";
import type { WebhookSender } from "./create-webhook-sender.ts";
import { webhookHeaders } from "./sign-webhook.ts";
import { webhookBody } from "./webhook-body.ts";

interface WebhookDispatcherDeps {
  db: Db;
  logger: Logger;
  metrics: Pick<Metrics, "webhookPending" | "webhookEventsSent" | "webhookAttempts" | "webhookAttemptDuration">;
  sender: WebhookSender;
  /** Delays before each retry. */
  schedule: readonly number[];
  /** POSTs to one endpoint in flight at once, across instances. */
  maxInFlight: number;
  /** One POST's time limit; a claimed batch's lease outlasts it. */
  timeoutMs: number;
  /** Events wait at most this long to be gathered into a batch (and due retries to start). */
  tickMs?: number;
  /** POSTs this instance makes at once, over all endpoints. */
  maxPosts?: number;
  /** Whether some enabled endpoint exists: without one a tick neither batches nor claims (no statements). */
  active?: () => boolean;
  now?: () => number;
}

const ITEMS_PER_POST = 100;
const ROWS_PER_BATCHING = 2000;
const BACKLOG_EVERY_MS = 5000;
const PRUNE_EVERY_MS = 10 * 60_000;
const KEEP_HISTORY_MS = 24 * 3_600_000;

/**
 * Sends webhooks from the outbox, on every instance: each tick gathers new events into batches (one type,
 * one endpoint, ≤ 100 items) and claims due batches within each endpoint's in-flight limit; every claimed
 * batch is POSTed once, and its outcome recorded (sent, retry later, failed, or the endpoint disabled).
 * Nothing here waits on a POST except that POST's own batch: a slow endpoint holds its own places only.
 * A crash mid-POST leaves the batch leased until its lease ends; then any instance sends it again (same
 * webhook-id, same items: receivers dedupe).
 */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps) {
  const { db, logger, metrics, sender } = deps;
  const now = deps.now ?? Date.now;
  const tickMs = deps.tickMs ?? 250;
  const maxPosts = deps.maxPosts ?? 64;
  const leaseMs = deps.timeoutMs + 5000;
  const warn = createThrottledWarning(logger);
  const posts = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let lastBacklogAt = 0;
  let lastPruneAt = now();

  const attempt = async (batch: ClaimedBatch) => {
    const body = webhookBody(batch);
    const headers = webhookHeaders({ id: batch.id, timestamp: new Date(now()), body, secrets: batch.secrets });
    const result = await sender.post({ url: batch.url, headers, body });
    const record = attemptOutcome(batch, result, { schedule: deps.schedule, now: now() });
    const endpoint = batch.endpointId;
    metrics.webhookAttemptDuration.observe({ endpoint }, result.durationMs / 1000);
    metrics.webhookAttempts.inc({ endpoint, outcome: record.outcome });
    if (record.outcome === "sent") metrics.webhookEventsSent.inc({ endpoint }, batch.items.length);
    if (record.outcome !== "sent") logger.debug({ endpoint, webhookId: batch.id, attempt: batch.attempt, error: record.error }, "webhook attempt failed");
    if (record.outcome === "disable") logger.warn({ endpoint }, "webhook endpoint answered 410 Gone: disabled");
    // Not recorded (database away): the lease runs out and the batch is sent again, which receivers dedupe.
    await finishWebhookAttempt(db, record).catch((err: Error) => warn({ err: err.message }, "could not record a webhook attempt; it will be sent again"));
  };

  const step = async () => {
    const active = deps.active?.() ?? true;
    while (active && (await batchWebhookEvents(db, ROWS_PER_BATCHING, ITEMS_PER_POST)) >= ROWS_PER_BATCHING && !stopped);
    const room = maxPosts - posts.size;
    if (active && room > 0) {
      const claimed = await claimWebhookBatches(db, { perEndpoint: deps.maxInFlight, endpoints: Math.max(1, Math.floor(room / deps.maxInFlight)), leaseMs });
      for (const batch of claimed) {
        const post: Promise<void> = attempt(batch).finally(() => {
          posts.delete(post);
          kick();
        });
        posts.add(post);
      }
    }
    if (now() - lastBacklogAt >= BACKLOG_EVERY_MS) {
      lastBacklogAt = now();
      metrics.webhookPending.reset();
      for (const b of await webhookBacklog(db)) metrics.webhookPending.set({ endpoint: b.endpointId }, b.pending);
    }
    if (now() - lastPruneAt >= PRUNE_EVERY_MS) {
      lastPruneAt = now();
      await pruneWebhookHistory(db, KEEP_HISTORY_MS);
    }
  };

  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await step().catch((err: Error) => warn({ err: err.message }, "webhook dispatch failed; the next tick tries again"));
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // A finished POST frees a place: claim the next batch of that endpoint now, not at the next tick.
  const kick = () => {
    if (!stopped) void run();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(kick, tickMs);
      timer.unref();
    },
    /** One gathering and claim now (tests). */
    runOnce: () => run(),
    /** Stops claiming; waits up to `waitMs` for POSTs under way (an unfinished one is sent again after its lease). */
    async stop(waitMs = 2000) {
      stopped = true;
      clearInterval(timer);
      await Promise.race([Promise.all([running, ...posts]), new Promise((r) => setTimeout(r, waitMs).unref())]);
      await sender.close();
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
