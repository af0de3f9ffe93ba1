/** The event types an endpoint can ask for (docs/webhooks.md says when each is sent and what its items hold). */
export const WEBHOOK_EVENT_TYPES = [
  "message.delivered",
  "message.read",
  "message.expired",
  "message.cancelled",
  "user.online",
  "user.offline",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
