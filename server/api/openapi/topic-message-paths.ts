import { idempotencyKeySchema } from "../validation/message-input.ts";
import { topicMessageInputSchema } from "../validation/topic-message-input.ts";
import { errors, idParam, json, keyed, schemaOf } from "./parts.ts";

const topicParam = idParam("topic", "1–128 characters of A–Z a–z 0–9 _ - . : (':' separates segments)");
const publishParam = idParam("publishId", "the publish id POST /api/topics/{topic}/messages answered");
const idempotencyKey = { name: "Idempotency-Key", in: "header", required: false, schema: schemaOf(idempotencyKeySchema) };

const publishView = {
  type: "object",
  required: ["id", "topic", "recipients", "fannedOut", "status", "createdAt", "cancelledAt"],
  properties: {
    id: { type: "string" },
    topic: { type: "string" },
    recipients: { type: "integer", description: "the topic's subscribers when it was stored: each gets exactly one message" },
    fannedOut: { type: "integer", description: "recipients whose message is written so far" },
    status: { enum: ["fanning_out", "done"] },
    createdAt: { type: "string", format: "date-time" },
    cancelledAt: { type: ["string", "null"], format: "date-time" },
  },
};

/** Durable topic publishes. */
export function topicMessagePaths(): Record<string, Record<string, unknown>> {
  return {
    "/api/topics/{topic}/messages": {
      post: {
        summary: "Publish a message to every subscriber of a topic: stored (body once, recipients fixed) before the 202, fanned out into each recipient's stream after it (publish scope)",
        ...keyed,
        parameters: [topicParam, idempotencyKey],
        requestBody: { required: true, content: json(schemaOf(topicMessageInputSchema)) },
        responses: {
          "202": {
            description: "stored; the fan-out runs on (GET the publish for its progress)",
            content: json({
              type: "object",
              required: ["id", "recipients"],
              properties: {
                id: { type: "string", description: "the publish id" },
                recipients: { type: "integer", description: "the topic's subscribers now: each gets exactly one message" },
              },
            }),
          },
          ...errors(400, 401, 403, 409, 413, 415, 429, 503),
        },
      },
    },
    "/api/topics/{topic}/messages/{publishId}": {
      get: {
        summary: "A publish and how far its fan-out has got (read scope)",
        ...keyed,
        parameters: [topicParam, publishParam],
        responses: { "200": { description: "the publish", content: json(publishView) }, ...errors(400, 401, 403, 404, 429, 503) },
      },
      delete: {
        summary: "Cancel a publish for every recipient: the fan-out stops, every message it wrote is cancelled (manage scope)",
        ...keyed,
        parameters: [topicParam, publishParam],
        responses: {
          "200": {
            description: "cancelled (again: cancelled 0)",
            content: json({
              type: "object",
              required: ["id", "topic", "status", "cancelled"],
              properties: {
                id: { type: "string" },
                topic: { type: "string" },
                status: { const: "cancelled" },
                cancelled: { type: "integer", description: "messages this call cancelled (0 when the publish was cancelled before)" },
              },
            }),
          },
          ...errors(400, 401, 403, 404, 429, 503),
        },
      },
    },
  };
}
