import { attemptsQuerySchema } from "../routes/webhooks.ts";
import { webhookInputSchema, webhookPatchSchema } from "../validation/webhook-input.ts";
import { WEBHOOK_EVENT_TYPES } from "../../webhooks/event-types.ts";
import { errors, idParam, json, keyed, schemaOf } from "./parts.ts";

const dateTime = { type: "string", format: "date-time" };

const webhookView = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    url: { type: "string" },
    events: { type: "array", items: { enum: [...WEBHOOK_EVENT_TYPES] } },
    description: { type: ["string", "null"] },
    enabled: { type: "boolean", description: "false once the endpoint answered 410 Gone or an admin switched it off" },
    disabledReason: { type: ["string", "null"] },
    createdAt: dateTime,
  },
};

const createdView = {
  type: "object",
  properties: {
    ...Object.fromEntries(Object.entries(webhookView.properties).filter(([name]) => name !== "disabledReason")),
    secret: { type: "string", description: "whsec_…: the signing secret, in this answer only" },
  },
};

const attemptView = {
  type: "object",
  properties: {
    id: { type: "string" },
    webhookId: { type: "string", description: "the POST's webhook-id header (the same on each of its retries)" },
    type: { enum: [...WEBHOOK_EVENT_TYPES] },
    items: { type: "integer", description: "items in the POST" },
    attempt: { type: "integer", description: "1 for the first try" },
    at: dateTime,
    durationMs: { type: "integer" },
    statusCode: { type: ["integer", "null"] },
    error: { type: ["string", "null"] },
    outcome: { enum: ["sent", "retry", "failed", "disable"] },
  },
};

const webhookId = idParam("webhookId", "webhook endpoint id");

/** The webhook endpoint routes: for keys with the admin scope (HUB_API_KEYS keys have every scope). */
export function webhookPaths(): Record<string, Record<string, unknown>> {
  const limit = (schemaOf(attemptsQuerySchema) as { properties: Record<string, unknown> }).properties.limit;
  // The deleting route comes last: a walk through the document in order meets the endpoint it deletes last.
  return {
    "/api/webhooks": {
      post: {
        summary: "Register a webhook endpoint (admin scope); its signing secret is in this answer only",
        ...keyed,
        requestBody: { required: true, content: json(schemaOf(webhookInputSchema)) },
        responses: { "201": { description: "created", content: json(createdView) }, ...errors(400, 401, 403, 413, 415, 429, 503) },
      },
      get: {
        summary: "Every webhook endpoint, oldest first (no secrets)",
        ...keyed,
        responses: {
          "200": { description: "endpoints", content: json({ type: "object", properties: { webhooks: { type: "array", items: webhookView } } }) },
          ...errors(401, 403, 429, 503),
        },
      },
    },
    "/api/webhooks/{webhookId}/rotate": {
      post: {
        summary: "A new signing secret; the old one keeps signing beside it for 24 hours",
        ...keyed,
        parameters: [webhookId],
        responses: {
          "200": {
            description: "rotated",
            content: json({ type: "object", properties: { id: { type: "string", format: "uuid" }, secret: { type: "string" }, previousSecretExpiresAt: dateTime } }),
          },
          ...errors(401, 403, 404, 429, 503),
        },
      },
    },
    "/api/webhooks/{webhookId}/attempts": {
      get: {
        summary: "The endpoint's last POST attempts (kept 24 h), newest first",
        ...keyed,
        parameters: [webhookId, { name: "limit", in: "query", required: false, schema: limit }],
        responses: {
          "200": { description: "attempts", content: json({ type: "object", properties: { attempts: { type: "array", items: attemptView } } }) },
          ...errors(400, 401, 403, 404, 429, 503),
        },
      },
    },
    "/api/webhooks/{webhookId}": {
      get: {
        summary: "One webhook endpoint (no secret)",
        ...keyed,
        parameters: [webhookId],
        responses: { "200": { description: "the endpoint", content: json(webhookView) }, ...errors(401, 403, 404, 429, 503) },
      },
      patch: {
        summary: "Change an endpoint's url, events or description, or switch it off or back on (enabled)",
        ...keyed,
        parameters: [webhookId],
        requestBody: { required: true, content: json(schemaOf(webhookPatchSchema)) },
        responses: { "200": { description: "the endpoint after the change", content: json(webhookView) }, ...errors(400, 401, 403, 404, 413, 415, 429, 503) },
      },
      delete: {
        summary: "Delete a webhook endpoint with its pending events and attempts",
        ...keyed,
        parameters: [webhookId],
        responses: { "200": { description: "deleted", content: json(webhookView) }, ...errors(401, 403, 404, 429, 503) },
      },
    },
  };
}
