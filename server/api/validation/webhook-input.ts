import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "../../webhooks/event-types.ts";

const eventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) => `unknown event type ${JSON.stringify(issue.input)} (known: ${WEBHOOK_EVENT_TYPES.join(", ")})`,
});

/**
 * A new webhook endpoint as POST /api/webhooks describes it. The URL's syntax and scheme are checked here;
 * where it may point (public addresses only, unless WEBHOOK_ALLOW_PRIVATE) is the address policy's call.
 */
const url = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2048);
const events = z
  .array(eventType)
  .min(1, "must name at least one event type")
  .max(100)
  .transform((types) => [...new Set(types)]);

export const webhookInputSchema = z.strictObject({ url, events, description: z.string().max(500).optional() });

/**
 * A change to an endpoint (PATCH /api/webhooks/:id): any of its URL, events and description, and
 * `enabled` (true switches an endpoint that answered 410 Gone back on: its kept POSTs go out again).
 */
export const webhookPatchSchema = z
  .strictObject({ url: url.optional(), events: events.optional(), description: z.string().max(500).nullable().optional(), enabled: z.boolean().optional() })
  .refine((p) => Object.keys(p).length > 0, "must change at least one of url, events, description, enabled");

export type WebhookInput = z.infer<typeof webhookInputSchema>;
export type WebhookPatch = z.infer<typeof webhookPatchSchema>;
