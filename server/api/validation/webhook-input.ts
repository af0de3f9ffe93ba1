import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "../../webhooks/event-types.ts";

const eventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) => `unknown event type ${JSON.stringify(issue.input)} (known: ${WEBHOOK_EVENT_TYPES.join(", ")})`,
});

/**
 * A new webhook endpoint as POST /api/webhooks describes it. The URL's syntax and scheme are checked here;
 * where it may point (public addresses only, unless WEBHOOK_ALLOW_PRIVATE) is the address policy's call.
 */
export const webhookInputSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2048),
  events: z
    .array(eventType)
    .min(1, "must name at least one event type")
    .max(100)
    .transform((events) => [...new Set(events)]),
  description: z.string().max(500).optional(),
});

export type WebhookInput = z.infer<typeof webhookInputSchema>;
