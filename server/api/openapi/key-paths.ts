import { keyInputSchema } from "../validation/key-input.ts";
import { errors, idParam, json, keyed, schemaOf } from "./parts.ts";

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

/** POST/GET /api/keys, DELETE /api/keys/{keyId}: for keys with the admin scope (HUB_API_KEYS keys have every scope). */
export function keyPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
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
  return paths;
}
