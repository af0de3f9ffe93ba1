import { z } from "zod";
import { HTTP_ERRORS, type HttpErrorCode } from "../errors/error-codes.ts";
import { tokenRequestSchema } from "./routes/dev-token.ts";
import { historyQuerySchema } from "./routes/users.ts";
import { batchInputSchema, idempotencyKeySchema, messageInputSchema } from "./validation/message-input.ts";
import { keyInputSchema } from "./validation/key-input.ts";
import { readRequestSchema } from "./validation/read-request.ts";

const keyView = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    name: { type: "string" },
    keyPrefix: { type: "string", description: "the key's first characters" },
    scopes: { type: "array", items: { enum: ["publish", "read", "manage", "admin"] } },
    uidPrefix: { type: ["string", "null"] },
    topics: { type: ["array", "null"], items: { type: "string" } },
    ratePerSecond: { type: ["integer", "null"] },
    expiresAt: { type: ["string", "null"], format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
    createdAt: { type: "string", format: "date-time" },
  },
};

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of what a request may send, from the route's own zod schema. */
const schemaOf = (schema: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
};

const json = (schema: unknown) => ({ "application/json": { schema } });
const errorRef = { $ref: "#/components/schemas/Error" };
const HTTP_CODES = Object.keys(HTTP_ERRORS) as HttpErrorCode[];
const codesOf = (status: number) => HTTP_CODES.filter((code) => HTTP_ERRORS[code].status === status);
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: `error: ${codesOf(s).join(" | ")}`, content: json(errorRef) }]));
const idParam = (name: string, description: string) => ({ name, in: "path", required: true, schema: { type: "string" }, description });

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
  const keyed = { security: [{ apiKey: [] }] };
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
  // Database API keys: for keys with the admin scope (HUB_API_KEYS keys have every scope).
  paths["/api/keys"] = {
    post: {
      summary: "Create an API key (admin scope); the key is in this answer only",
      ...keyed,
      requestBody: { required: true, content: json(schemaOf(keyInputSchema)) },
      responses: {
        "201": { description: "created", content: json({ ...keyView, properties: { ...keyView.properties, key: { type: "string" } } }) },
        ...errors(400, 401, 403, 413, 415, 429, 503),
      },
    },
    get: {
      summary: "Every API key, revoked ones included (no secrets)",
      ...keyed,
      responses: { "200": { description: "keys", content: json({ type: "object", properties: { keys: { type: "array", items: keyView } } }) }, ...errors(401, 403, 429, 503) },
    },
  };
  paths["/api/keys/{keyId}"] = {
    delete: {
      summary: "Revoke an API key: refused on every instance within a second (idempotent)",
      ...keyed,
      parameters: [idParam("keyId", "API key id")],
      responses: { "200": { description: "revoked", content: json(keyView) }, ...errors(401, 403, 404, 429, 503) },
    },
  };
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
