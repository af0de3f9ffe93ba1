// GET /openapi.json describes the live HTTP API: every documented route answers (never the router's
// 404 or 405), documented request schemas accept what the hub accepts and say what it rejects, and a
// route the hub mounts without documenting it stops the hub at start (create-api.ts).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api } from "./support/http.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;

before(async () => {
  db = await createTestDatabase("openapi");
  hub = await startTestHub(db.url);
});
after(async () => {
  await hub?.stop();
  await db?.drop();
});

interface Operation {
  requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, unknown> } }> };
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

test("GET /openapi.json: an OpenAPI 3.1 document whose every route answers on the live hub", async () => {
  const res = await api(hub.url, "GET", "/openapi.json");
  assert.equal(res.status, 200);
  const doc = res.body as unknown as Doc;
  assert.equal(doc.openapi, "3.1.0");
  for (const route of ["/api/topics/{topic}/subscribers", "/api/topics/{topic}/live", "/api/topics/{topic}/messages", "/api/topics/{topic}/messages/{publishId}", "/api/users/{uid}/topics", "/api/keys", "/api/keys/{keyId}", "/api/webhooks", "/api/webhooks/{webhookId}", "/api/webhooks/{webhookId}/rotate", "/api/webhooks/{webhookId}/attempts", "/api/messages", "/api/messages/batch", "/api/messages/{id}", "/api/users/{uid}/messages", "/api/users/{uid}/presence", "/api/users/{uid}/unread", "/api/users/{uid}/read", "/message", "/healthz", "/readyz", "/metrics", "/api/dev/token"]) {
    assert.ok(doc.paths[route], `${route} is documented`);
  }

  const stored = await api(hub.url, "POST", "/api/messages", { uid: "oa-1", msg: "hi" });
  assert.equal(stored.status, 202);
  const key = await api(hub.url, "POST", "/api/keys", { name: "openapi", scopes: ["read"] });
  assert.equal(key.status, 201);
  const webhook = await api(hub.url, "POST", "/api/webhooks", { url: "http://127.0.0.1:9/oa", events: ["user.online"] });
  assert.equal(webhook.status, 201);
  const values: Record<string, string> = {
    id: stored.body.id as string,
    uid: "oa-1",
    keyId: key.body.id as string,
    webhookId: webhook.body.id as string,
    topic: "oa:topic",
    publishId: (await api(hub.url, "POST", "/api/topics/oa:topic/messages", { msg: "walk" })).body.id as string,
  };
  const bodies: Record<string, unknown> = {
    "/api/messages": { uid: "oa-1", msg: { a: 1 } },
    "/api/messages/batch": { messages: [{ uid: "oa-1", msg: 1 }] },
    "/message": { uid: "oa-1", msg: "seed" },
    "/api/dev/token": { uid: "oa-1" },
    "/api/users/{uid}/read": { ids: [stored.body.id] },
    "/api/keys": { name: "openapi-2", scopes: ["publish"] },
    "/api/webhooks": { url: "http://127.0.0.1:9/oa-2", events: ["message.read"] },
    "/api/webhooks/{webhookId}": { description: "changed by the walk" },
    "/api/topics/{topic}/subscribers": { uids: ["oa-1"] },
    "/api/topics/{topic}/subscribers/remove": { uids: ["oa-1"] },
    "/api/topics/{topic}/live": { data: { score: "1:0" } },
    "/api/topics/{topic}/messages": { msg: { score: "1:0" } },
  };
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const method of Object.keys(operations)) {
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!);
      const reply = await api(hub.url, method.toUpperCase(), url, ["post", "put", "patch"].includes(method) ? bodies[path] : undefined);
      assert.ok(reply.status >= 200 && reply.status < 300, `${method.toUpperCase()} ${url} answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
    }
  }
});

test("the documented message schema is the one the route enforces", async () => {
  const doc = (await api(hub.url, "GET", "/openapi.json")).body as unknown as Doc;
  const schema = doc.paths["/api/messages"]!.post!.requestBody!.content["application/json"]!.schema as {
    required: string[];
    properties: Record<string, { type?: string; minLength?: number; maxLength?: number }>;
    additionalProperties: boolean;
  };
  assert.deepEqual([...schema.required].sort(), ["msg", "uid"]);
  assert.equal(schema.properties.uid!.maxLength, 128);
  assert.equal(schema.additionalProperties, false);
  // …and the route agrees: an unknown field and a 129-character uid are refused, as documented
  assert.equal((await api(hub.url, "POST", "/api/messages", { uid: "x", msg: 1, extra: true })).status, 400);
  assert.equal((await api(hub.url, "POST", "/api/messages", { uid: "x".repeat(129), msg: 1 })).status, 400);
});

test("an Idempotency-Key conflict on either POST route is a documented 409 with a documented code", async () => {
  const doc = (await api(hub.url, "GET", "/openapi.json")).body as unknown as Doc & {
    components: { schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } } };
  };
  const codes = doc.components.schemas.Error.properties.error.properties.code.enum;
  const cases: [string, unknown, unknown][] = [
    ["/api/messages", { uid: "oa-409", msg: "first" }, { uid: "oa-409", msg: "second" }],
    ["/api/messages/batch", { messages: [{ uid: "oa-409", msg: "first" }] }, { messages: [{ uid: "oa-409", msg: "second" }] }],
  ];
  for (const [path, first, second] of cases) {
    const key = { "idempotency-key": `oa-409-${path}` };
    assert.equal((await api(hub.url, "POST", path, first, key)).status, 202);
    const conflict = await api(hub.url, "POST", path, second, key);
    assert.equal(conflict.status, 409, path);
    const responses = (doc.paths[path]!.post as { responses: Record<string, unknown> }).responses;
    assert.ok(responses["409"], `${path} documents its 409`);
    const code = (conflict.body.error as { code: string }).code;
    assert.ok(codes.includes(code), `${code} is one of the documented error codes`);
  }
  for (const code of ["invalid_body", "unauthorized", "rate_limited", "store_unavailable", "internal", "too_many_connections"]) {
    assert.ok(codes.includes(code), code);
  }
});
