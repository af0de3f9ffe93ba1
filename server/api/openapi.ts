import { errors, HTTP_CODES, idParam, json, keyed, schemaOf } from "./openapi/parts.ts";
import { keyPaths } from "./openapi/key-paths.ts";
import { topicPaths } from "./openapi/topic-paths.ts";
import { topicMessagePaths } from "./openapi/topic-message-paths.ts";
import { webhookPaths } from "./openapi/webhook-paths.ts";
import { tokenRequestSchema } from "./routes/dev-token.ts";
import { historyQuerySchema } from "./routes/users.ts";
import { batchInputSchema, idempotencyKeySchema, messageInputSchema } from "./validation/message-input.ts";
import { readRequestSchema } from "./validation/read-request.ts";

const messageView = {
  type: "object",
  required: ["id", "uid", "type", "clientType", "msg", "status", "attempts", "createdAt", "deliveredAt", "readAt", "expiresAt"],
  properties: {
    id: { type: "string" },
    uid: { type: "string" },
    type: { type: "integer" },
    clientType: { type: "integer" },
    msg: {},
    status: { enum: ["queued", "delivered", "read", "expired", "cancelled"] },
    attempts: { type: "integer" },
    createdAt: { type: "string", format: "date-time" },
    deliveredAt: { type: ["string", "null"], format: "date-time" },
    readAt: { type: ["string", "null"], format: "date-time" },
    expiresAt: { type: ["string", "null"], format: "date-time" },
    topic: { type: "string", description: "a topic message's topic (absent on direct messages)" },
    publishId: { type: "string", description: "a topic message's publish id, the same for every recipient (absent on direct messages)" },
  },
};

interface OpenApiOptions {
  /** Whether POST /api/dev/token is mounted (development and test, unless the hub is exposed). */
  devToken: boolean;
  /** Whether GET /metrics is served on this listener (not when METRICS_PORT gives it its own). */
  metrics: boolean;
  /** Whether the demo page (GET /) is served. */
  demo: boolean;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, served at GET /openapi.json. Request bodies and queries
 * come from the zod schemas the routes validate with; `docs/api.md` has the prose.
 */
export function createOpenApiDocument(options: OpenApiOptions) {
  const idempotencyKey = { name: "Idempotency-Key", in: "header", required: false, schema: schemaOf(idempotencyKeySchema) };
  const paths: Record<string, Record<string, unknown>> = {
    "/api/messages": {
      post: {
        summary: "Store one message for a uid (202 once durably stored)",
        ...keyed,
        parameters: [idempotencyKey],
        requestBody: { required: true, content: json(schemaOf(messageInputSchema)) },
        responses: {
          "202": { description: "stored", content: json({ type: "object", properties: { id: { type: "string" }, status: { const: "queued" } } }) },
          ...errors(400, 401, 403, 409, 413, 415, 429, 503),
        },
      },
    },
    "/api/messages/batch": {
      post: {
        summary: "Store 1–1,000 messages in one transaction (all or none)",
        ...keyed,
        parameters: [idempotencyKey],
        requestBody: {
          required: true,
          content: json({ ...schemaOf(batchInputSchema), properties: { messages: { type: "array", minItems: 1, maxItems: 1000, items: schemaOf(messageInputSchema) } } }),
        },
        responses: {
          "202": { description: "stored", content: json({ type: "object", properties: { ids: { type: "array", items: { type: "string" } } } }) },
          ...errors(400, 401, 403, 409, 413, 415, 429, 503),
        },
      },
    },
    "/api/messages/{id}": {
      get: {
        summary: "One message with its status",
        ...keyed,
        parameters: [idParam("id", "message id")],
        responses: { "200": { description: "the message", content: json(messageView) }, ...errors(400, 401, 403, 404, 503) },
      },
      delete: {
        summary: "Cancel a message: never delivered if still queued, hidden from sync, out of the unread count (idempotent)",
        ...keyed,
        parameters: [idParam("id", "message id")],
        responses: {
          "200": { description: "cancelled", content: json({ type: "object", properties: { id: { type: "string" }, status: { const: "cancelled" } } }) },
          ...errors(401, 403, 404, 503),
        },
      },
    },
    "/api/users/{uid}/unread": {
      get: {
        summary: "The uid's unread count (messages neither read, cancelled nor expired; read in O(1))",
        ...keyed,
        parameters: [idParam("uid", "user id")],
        responses: {
          "200": { description: "count", content: json({ type: "object", properties: { uid: { type: "string" }, unread: { type: "integer" } } }) },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    "/api/users/{uid}/read": {
      post: {
        summary: "Mark the uid's messages read on its behalf: some ids, or every one up to an id; its devices are told",
        ...keyed,
        parameters: [idParam("uid", "user id")],
        requestBody: { required: true, content: json(schemaOf(readRequestSchema)) },
        responses: {
          "200": {
            description: "marked",
            content: json({ type: "object", properties: { updated: { type: "integer" }, unread: { type: "integer" } } }),
          },
          ...errors(400, 401, 403, 413, 415, 503),
        },
      },
    },
    "/api/users/{uid}/messages": {
      get: {
        summary: "A uid's messages within RETENTION, newest first",
        ...keyed,
        parameters: [
          idParam("uid", "user id"),
          ...Object.entries((schemaOf(historyQuerySchema) as { properties: Record<string, unknown> }).properties).map(([name, schema]) => ({
            name,
            in: "query",
            required: false,
            schema,
          })),
        ],
        responses: {
          "200": {
            description: "a page",
            content: json({ type: "object", properties: { messages: { type: "array", items: messageView }, next: { type: ["string", "null"] } } }),
          },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    "/api/users/{uid}/presence": {
      get: {
        summary: "Whether the uid has sockets connected, across instances",
        ...keyed,
        parameters: [idParam("uid", "user id")],
        responses: {
          "200": {
            description: "presence",
            content: json({ type: "object", properties: { uid: { type: "string" }, online: { type: "boolean" }, connections: { type: "integer" } } }),
          },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    "/message": {
      post: {
        summary: "Seed-compatible publish: form or JSON fields uid and msg; answers {code, result, msg}",
        ...keyed,
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { type: "object", properties: { uid: { type: "string" }, msg: { type: "string" } } } },
            "application/x-www-form-urlencoded": { schema: { type: "object", properties: { uid: { type: "string" }, msg: { type: "string" } } } },
          },
        },
        responses: {
          "200": { description: "{code: 200, result: {id}, msg: OK}" },
          "400": { description: "{code: 416, …} (uid or msg missing), {code: 400, …} (invalid_utf8, invalid_body)" },
          "403": { description: "{code: 403, …}: the key lacks the publish scope, or may not act on this uid" },
          "405": { description: "{code: 405, …}" },
          "415": { description: "{code: 415, …}: another media type, charset or Content-Encoding" },
        },
      },
    },
    "/healthz": { get: { summary: "Alive", responses: { "200": { description: "alive" } } } },
    "/readyz": { get: { summary: "Database (and Redis) answer", responses: { "200": { description: "ready" }, "503": { description: "not ready: checks says which" } } } },
    "/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
  };
  Object.assign(paths, keyPaths(), webhookPaths(), topicPaths(), topicMessagePaths());
  if (options.metrics) {
    paths["/metrics"] = {
      get: {
        summary: "Prometheus text of this instance (with METRICS_TOKEN set: Authorization: Bearer <token>)",
        responses: { "200": { description: "text/plain metrics" }, ...errors(401) },
      },
    };
  }
  if (options.devToken) {
    paths["/api/dev/token"] = {
      post: {
        summary: "Development and test only: a client token for a uid",
        ...keyed,
        requestBody: { required: true, content: json(schemaOf(tokenRequestSchema)) },
        responses: { "200": { description: "token", content: json({ type: "object", properties: { token: { type: "string" } } }) }, ...errors(400, 401, 403, 413, 415) },
      },
    };
  }
  if (options.demo) paths["/"] = { get: { summary: "The demo page", responses: { "200": { description: "text/html" } } } };
  return {
    openapi: "3.1.0",
    info: {
      title: "push-hub",
      version: "0.1.0",
      description:
        "Durable real-time message push hub. Socket.IO protocol: docs/api.md. Request bodies are UTF-8 JSON (400 invalid_utf8; " +
        "415 for another charset or any Content-Encoding but identity). Any route may also answer 408 (the request did not " +
        "arrive within HTTP_REQUEST_TIMEOUT_MS) or, before the request is read, 503 too_many_connections (the process holds MAX_CONNECTIONS).",
    },
    paths,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "an API key: one of HUB_API_KEYS (every scope), or a database key (/api/keys, npm run keys)" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: { error: { type: "object", required: ["code", "message"], properties: { code: { enum: HTTP_CODES }, message: { type: "string" }, details: {} } } },
        },
      },
    },
  };
}
