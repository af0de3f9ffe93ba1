import type { Logger } from "pino";
import type { Config } from "../config/config-schema.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { Db } from "../store/prisma.ts";
import { recordWebhookEvents } from "../store/webhooks/webhook-queue.ts";
import { createWebhookDispatcher } from "./create-webhook-dispatcher.ts";
import { createWebhookInterest } from "./create-webhook-interest.ts";
import { createWebhookSender } from "./create-webhook-sender.ts";

type WebhookConfig = Pick<Config, "webhookAllowPrivate" | "webhookRetrySchedule" | "webhookTimeoutMs" | "webhookMaxInFlight">;

export interface PresenceEvent {
  type: "user.online" | "user.offline";
  uid: string;
  at: Date;
}

/** The hub's webhooks: who wants which events, the dispatcher that sends them, and the door for presence events. */
export function createWebhooks(deps: { config: WebhookConfig; db: Db; logger: Logger; metrics: Metrics }) {
  const { config, db, logger } = deps;
  const interest = createWebhookInterest({ db, logger });
  const dispatcher = createWebhookDispatcher({
    db,
    logger,
    active: () => interest.any(),
    metrics: deps.metrics,
    sender: createWebhookSender({ allowPrivate: config.webhookAllowPrivate, timeoutMs: config.webhookTimeoutMs, userAgent: "push-hub-webhooks/1" }),
    schedule: config.webhookRetrySchedule,
    maxInFlight: config.webhookMaxInFlight,
    timeoutMs: config.webhookTimeoutMs,
  });
  return {
    interest,
    /** Presence is tracked only while an endpoint wants user.online or user.offline. */
    wantsPresence: () => interest.wants("user.online") || interest.wants("user.offline"),
    /** Writes presence changes into the outbox (rejects when the database is away: the tracker retries). */
    async recordPresence(changes: PresenceEvent[]): Promise<void> {
      for (const type of ["user.online", "user.offline"] as const) {
        const items = changes.filter((c) => c.type === type).map((c) => ({ uid: c.uid, at: c.at.toISOString() }));
        await recordWebhookEvents(db, type, items);
      }
    },
    async start() {
      await interest.refresh();
      dispatcher.start();
    },
    async stop() {
      interest.close();
      await dispatcher.stop();
    },
  };
}
