import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api } from "./support/http.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;
const rows = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages"))[0]!.n;

before(async () => {
  db = await createTestDatabase("http");
  hub = await startTestHub(db.url, { MESSAGE_MAX_BYTES: "1024", HUB_API_KEYS: "dev-key,second-key" });
});
after(async () => {
  await hub?.stop();
  await db?.drop();
});

test("a repeated Idempotency-Key returns the first id and stores one row; other content under it is a 409", async () => {
  const before = await rows();
  const headers = { "idempotency-key": "order-42" };
  const a = await api(hub.url, "POST", "/api/messages", { uid: "u1", msg: "first" }, headers);
  const b = await api(hub.url, "POST", "/api/messages", { uid: "u1", msg: "first" }, headers);
  assert.equal(a.status, 202);
  assert.equal(b.status, 202);
  assert.equal(b.body.id, a.body.id);
  assert.equal(await rows(), before + 1);
  const other = await api(hub.url, "POST", "/api/messages", { uid: "u1", msg: "second" }, headers);
  assert.equal(other.status, 409, "a different message under a used key is not silently dropped");
  assert.equal((other.body.error as { code: string; details: { firstIds: string[] } }).code, "idempotency_conflict");
  assert.deepEqual((other.body.error as { details: { firstIds: string[] } }).details.firstIds, [a.body.id]);
  const batchKey = { "idempotency-key": "batch-7" };
  const batch = await api(hub.url, "POST", "/api/messages/batch", { messages: [{ uid: "u1", msg: 1 }] }, batchKey);
  assert.deepEqual((await api(hub.url, "POST", "/api/messages/batch", { messages: [{ uid: "u1", msg: 1 }] }, batchKey)).body, batch.body);
  assert.equal((await api(hub.url, "POST", "/api/messages/batch", { messages: [{ uid: "u1", msg: 2 }] }, batchKey)).status, 409);
  const forged = await api(hub.url, "POST", "/api/messages", { uid: "u1", msg: "not the batch's" }, { "idempotency-key": "batch-7#0" });
  assert.equal(forged.status, 202);
  assert.ok(!(batch.body.ids as string[]).includes(forged.body.id as string), "a single key cannot alias a batch item");
  assert.equal((await api(hub.url, "GET", `/api/messages/${forged.body.id}`)).body.msg, "not the batch's");
  assert.equal(await rows(), before + 3);
  const c = await api(hub.url, "POST", "/api/messages", { uid: "u1", msg: "other key" }, { ...headers, authorization: "Bearer second-key" });
  assert.notEqual(c.body.id, a.body.id, "keys are scoped per API key");
  const concurrent = await Promise.all(
    [...Array(10)].map(() => api(hub.url, "POST", "/api/messages", { uid: "u1", msg: "race" }, { "idempotency-key": "race-1" })),
  );
  assert.equal(new Set(concurrent.map((r) => r.body.id)).size, 1, "concurrent repeats share one id");
  assert.equal(await rows(), before + 5);
  const view = await api(hub.url, "GET", `/api/messages/${a.body.id}`);
  assert.equal(view.body.msg, "first");
});

test("batch of 1,000 → all stored, ids in request order; one bad item → none stored, 400 naming it", async () => {
  const before = await rows();
  const messages = [...Array(1000).keys()].map((i) => ({ uid: `batch-${i % 7}`, msg: { i } }));
  const ok = await api(hub.url, "POST", "/api/messages/batch", { messages });
  assert.equal(ok.status, 202);
  assert.equal(ok.body.ids.length, 1000);
  const numeric = ok.body.ids.map(Number);
  assert.deepEqual(numeric, [...numeric].sort((x: number, y: number) => x - y));
  assert.equal(await rows(), before + 1000);
  const sample = await api(hub.url, "GET", `/api/messages/${ok.body.ids[500]}`);
  assert.deepEqual(sample.body.msg, { i: 500 });

  const bad: { uid: string; msg: unknown }[] = [...messages.slice(0, 10)];
  bad[7] = { uid: "", msg: 1 };
  const rejected = await api(hub.url, "POST", "/api/messages/batch", { messages: bad });
  assert.equal(rejected.status, 400);
  assert.equal(rejected.body.error.code, "invalid_body");
  assert.match(rejected.body.error.message, /messages\[7\]\.uid/);
  assert.equal(await rows(), before + 1000, "nothing of the bad batch stored");

  const tooMany = await api(hub.url, "POST", "/api/messages/batch", { messages: [...Array(1001)].map(() => ({ uid: "x", msg: 1 })) });
  assert.equal(tooMany.status, 400);
  const empty = await api(hub.url, "POST", "/api/messages/batch", { messages: [] });
  assert.equal(empty.status, 400);
});

const expectError = async (res: Promise<{ status: number; body: any; headers: Headers }>, status: number, code: string) => {
  const r = await res;
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body?.error?.code, code, JSON.stringify(r.body));
  assert.equal(typeof r.body.error.message, "string");
  return r;
};

test("every error status of the contract comes with its stable code", async () => {
  const before = await rows();
  const post = (body: unknown, headers: Record<string, string> = {}) => api(hub.url, "POST", "/api/messages", body, headers);
  await expectError(post("{not json"), 400, "invalid_json");
  await expectError(post('{"uid":"a","msg":'), 400, "invalid_json");
  await expectError(post(""), 400, "invalid_json");
  await expectError(post({ uid: 5, msg: "x" }), 400, "invalid_body");
  await expectError(post({ uid: "a" }), 400, "invalid_body");
  await expectError(post({ uid: "a", msg: 1, type: "4" }), 400, "invalid_body");
  await expectError(post({ uid: "a", msg: 1, type: 1.5 }), 400, "invalid_body");
  await expectError(post({ uid: "a", msg: 1, ttlSeconds: -1 }), 400, "invalid_body");
  await expectError(post({ uid: "x".repeat(129), msg: 1 }), 400, "invalid_body");
  await expectError(post({ uid: "a", msg: 1, extra: true }), 400, "invalid_body");
  await expectError(post([{ uid: "a", msg: 1 }]), 400, "invalid_body");
  await expectError(post({ uid: "a", msg: "nul \u0000 inside" }), 400, "invalid_body");
  await expectError(post('{"uid":"a","msg":"\\ud800"}'), 400, "invalid_body");
  await expectError(post({ uid: "a", msg: 1 }, { "idempotency-key": "has space" }), 400, "invalid_body");
  await expectError(post({ uid: "a", msg: "x".repeat(2000) }), 413, "message_too_large");
  await expectError(post({ uid: "a", msg: "x".repeat(9 * 1024 * 1024) }), 413, "body_too_large");
  await expectError(post({ uid: "a", msg: 1 }, { "content-type": "text/plain" }), 415, "unsupported_media_type");
  await expectError(
    fetch(`${hub.url}/api/messages`, { method: "POST", headers: { authorization: "Bearer dev-key" }, body: "{}" }).then(async (r) => ({
      status: r.status,
      headers: r.headers,
      body: await r.json(),
    })),
    415,
    "unsupported_media_type",
  );
  await expectError(post({ uid: "a", msg: 1 }, { authorization: "" }), 401, "unauthorized");
  await expectError(post({ uid: "a", msg: 1 }, { authorization: "Bearer wrong-key" }), 401, "unauthorized");
  await expectError(post({ uid: "a", msg: 1 }, { authorization: "Basic ZGV2LWtleTo=" }), 401, "unauthorized");
  await expectError(api(hub.url, "GET", "/api/messages/999999"), 404, "not_found");
  await expectError(api(hub.url, "GET", "/api/messages/not-an-id"), 404, "not_found");
  await expectError(api(hub.url, "GET", "/api/nothing-here"), 404, "not_found");
  await expectError(api(hub.url, "GET", "/nothing-here"), 404, "not_found");
  const wrong = await expectError(api(hub.url, "PUT", "/api/messages"), 405, "method_not_allowed");
  assert.equal(wrong.headers.get("allow"), "POST");
  const wrong2 = await expectError(api(hub.url, "PUT", "/api/messages/1"), 405, "method_not_allowed");
  assert.match(wrong2.headers.get("allow") ?? "", /GET/);
  assert.match(wrong2.headers.get("allow") ?? "", /DELETE/);
  await expectError(api(hub.url, "GET", "/api/users/u1/messages?limit=0"), 400, "invalid_query");
  await expectError(api(hub.url, "GET", "/api/users/u1/messages?limit=201"), 400, "invalid_query");
  await expectError(api(hub.url, "GET", "/api/users/u1/messages?status=lost"), 400, "invalid_query");
  await expectError(api(hub.url, "GET", "/api/users/u1/messages?before=abc"), 400, "invalid_query");
  assert.equal(await rows(), before, "no error stored anything");
});

test("history pages newest first with a next cursor; presence answers", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await api(hub.url, "POST", "/api/messages", { uid: "pager", msg: i })).body.id);
  const p1 = await api(hub.url, "GET", "/api/users/pager/messages?limit=2");
  assert.deepEqual(p1.body.messages.map((m: { id: string }) => m.id), [ids[4], ids[3]]);
  const p2 = await api(hub.url, "GET", `/api/users/pager/messages?limit=2&before=${p1.body.next}`);
  assert.deepEqual(p2.body.messages.map((m: { id: string }) => m.id), [ids[2], ids[1]]);
  const p3 = await api(hub.url, "GET", `/api/users/pager/messages?limit=2&before=${p2.body.next}`);
  assert.deepEqual(p3.body.messages.map((m: { id: string }) => m.id), [ids[0]]);
  assert.equal(p3.body.next, null);
  const queued = await api(hub.url, "GET", "/api/users/pager/messages?status=queued");
  assert.equal(queued.body.messages.length, 5);
  const m = queued.body.messages[0];
  for (const key of ["id", "uid", "type", "clientType", "msg", "status", "attempts", "createdAt", "deliveredAt", "readAt", "expiresAt"]) {
    assert.ok(key in m, `history item has ${key}`);
  }
  const presence = await api(hub.url, "GET", "/api/users/pager/presence");
  assert.deepEqual(presence.body, { uid: "pager", online: false, connections: 0 });
});

test("POST /message behaves like the original service", async () => {
  const before = await rows();
  const form = await fetch(`${hub.url}/message`, {
    method: "POST",
    headers: { authorization: "Bearer dev-key", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ uid: "seed-user", msg: '{"comment":"hello","from":7}' }),
  });
  assert.equal(form.status, 200);
  const formBody = await form.json();
  assert.equal(formBody.code, 200);
  assert.equal(formBody.msg, "OK");
  const stored = await api(hub.url, "GET", `/api/messages/${formBody.result.id}`);
  assert.deepEqual(stored.body.msg, { comment: "hello", from: 7 });
  assert.equal(stored.body.type, 4);

  const json = await api(hub.url, "POST", "/message", { uid: "seed-user", msg: "plain text" });
  assert.equal(json.status, 200);
  assert.equal(json.body.code, 200);
  assert.equal((await api(hub.url, "GET", `/api/messages/${json.body.result.id}`)).body.msg, "plain text");

  const get = await api(hub.url, "GET", "/message");
  assert.equal(get.status, 405);
  assert.equal(get.body.code, 405);
  const missing = await api(hub.url, "POST", "/message", { uid: "seed-user" });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.code, 416);
  const emptyMsg = await api(hub.url, "POST", "/message", { uid: "seed-user", msg: "" });
  assert.equal(emptyMsg.body.code, 416);
  const noKey = await api(hub.url, "POST", "/message", { uid: "seed-user", msg: "x" }, { authorization: "" });
  assert.equal(noKey.status, 401);
  assert.equal(noKey.body.code, 401);
  assert.equal(await rows(), before + 2);
});

test("health, readiness and metrics", async () => {
  assert.equal((await api(hub.url, "GET", "/healthz")).status, 200);
  const ready = await api(hub.url, "GET", "/readyz");
  assert.equal(ready.status, 200);
  assert.equal(ready.body.checks.database, "ok");
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  for (const name of [
    "pushhub_connections",
    "pushhub_messages_accepted_total",
    "pushhub_messages_delivered_total",
    "pushhub_messages_acked_total",
    "pushhub_messages_redelivered_total",
    "pushhub_messages_expired_total",
    "pushhub_queue_depth",
    "pushhub_drain_step_duration_seconds",
    "pushhub_delivery_latency_seconds",
    "pushhub_http_request_duration_seconds",
  ]) {
    assert.match(text, new RegExp(`^${name}`, "m"), name);
  }
});
