import { liveInputSchema, subscribersInputSchema, subscribersQuerySchema } from "../validation/topic-input.ts";
import { errors, idParam, json, keyed, schemaOf } from "./parts.ts";

const topicParam = idParam("topic", "1–128 characters of A–Z a–z 0–9 _ - . : (':' separates segments)");
const change = (verb: "added" | "removed") =>
  json({ type: "object", properties: { topic: { type: "string" }, [verb]: { type: "integer" }, subscribers: { type: "integer" } } });
const subscribersBody = { required: true, content: json(schemaOf(subscribersInputSchema)) };

/** Topic subscriptions and live events. */
export function topicPaths(): Record<string, Record<string, unknown>> {
  const query = Object.entries((schemaOf(subscribersQuerySchema) as { properties: Record<string, { description?: string }> }).properties).map(
    ([name, schema]) => ({ name, in: "query", required: false, schema, description: schema.description }),
  );
  return {
    "/api/topics/{topic}/subscribers": {
      put: {
        summary: "Subscribe 1–10,000 uids to a topic (idempotent; manage scope)",
        ...keyed,
        parameters: [topicParam],
        requestBody: subscribersBody,
        responses: { "200": { description: "subscribed", content: change("added") }, ...errors(400, 401, 403, 413, 415, 429, 503) },
      },
      get: {
        summary: "A page of a topic's subscribers in uid order, and how many it has (read scope)",
        ...keyed,
        parameters: [topicParam, ...query],
        responses: {
          "200": {
            description: "subscribers",
            content: json({ type: "object", properties: { uids: { type: "array", items: { type: "string" } }, next: { type: ["string", "null"] }, total: { type: "integer" } } }),
          },
          ...errors(400, 401, 403, 429, 503),
        },
      },
    },
    "/api/topics/{topic}/subscribers/remove": {
      post: {
        summary: "Unsubscribe 1–10,000 uids from a topic (idempotent; manage scope)",
        ...keyed,
        parameters: [topicParam],
        requestBody: subscribersBody,
        responses: { "200": { description: "unsubscribed", content: change("removed") }, ...errors(400, 401, 403, 413, 415, 429, 503) },
      },
    },
    "/api/users/{uid}/topics": {
      get: {
        summary: "The topics a uid is subscribed to (those the key's topic patterns allow; read scope)",
        ...keyed,
        parameters: [idParam("uid", "user id")],
        responses: {
          "200": { description: "topics", content: json({ type: "object", properties: { uid: { type: "string" }, topics: { type: "array", items: { type: "string" } } } }) },
          ...errors(400, 401, 403, 429, 503),
        },
      },
    },
    "/api/topics/{topic}/live": {
      post: {
        summary: "A volatile event to the sockets of the topic's subscribers right now: no storage, no ack, at most once (publish scope)",
        ...keyed,
        parameters: [topicParam],
        requestBody: { required: true, content: json(schemaOf(liveInputSchema)) },
        responses: {
          "202": { description: "sent", content: json({ type: "object", properties: { topic: { type: "string" }, event: { type: "string" } } }) },
          ...errors(400, 401, 403, 413, 415, 429),
        },
      },
    },
  };
}
