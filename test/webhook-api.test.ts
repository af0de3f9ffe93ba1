// The webhook endpoint API against real hubs on a fresh PostgreSQL: an endpoint's secret is shown once (at
// creation, and each new one at rotation); bad input is a 400 naming what is wrong; private addresses are
// refused unless WEBHOOK_ALLOW_PRIVATE; a rotation keeps the old secret signing for 24 hours; attempts are
// listed newest first; a delete takes the endpoint's events and attempts with it; only admin keys get in.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api } from "./support/http.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;
let publicOnly: TestHub;

before(async () => {
  db = await createTestDatabase("webhookapi");
  hub = await startTestHub(db.url);
  publicOnly = await startTestHub(db.url, { WEBHOOK_ALLOW_PRIVATE: "false" });
});
after(async () => {
  await hub?.stop();
  await publicOnly?.stop();
  await db?.drop();
});

// Nothing listens there: the hub has nothing to send to these endpoints in this file anyway.
const URL_ = "http://127.0.0.1:9/hooks";
const DAY_MS = 86_400_000;
const VIEW_KEYS = ["createdAt", "description", "disabledReason", "enabled", "events", "id", "url"];

interface Created {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
}

async function createWebhook(input: Record<string, unknown> = {}): Promise<Created> {
  const res = await api(hub.url, "POST", "/api/webhooks", { url: URL_, events: ["message.delivered"], ...input });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as Created;
}

const secretsOf = async (id: string) =>
  (await db.query<{ secret: string; previous_secret: string | null; previous_until: Date | null }>(
    "SELECT secret, previous_secret, previous_until FROM webhook_endpoints WHERE id = $1",
    [id],
  ))[0]!;

const insertBatch = (id: string, endpointId: string, items: number, state: string) =>
  db.query(
    "INSERT INTO webhook_batches (id, endpoint_id, type, items, item_count, state) VALUES ($1, $2, 'message.delivered', '[]', $3, $4)",
    [id, endpointId, items, state],
  );

const insertAttempt = (batchId: string, endpointId: string, items: number, attempt: number, status: number | null, error: string | null, outcome: string) =>
  db.query(
    `INSERT INTO webhook_attempts (endpoint_id, batch_id, type, item_count, attempt, duration_ms, status_code, error, outcome)
     VALUES ($1, $2, 'message.delivered', $3, $4, 12, $5, $6, $7)`,
    [endpointId, batchId, items, attempt, status, error, outcome],
  );

test("POST /api/webhooks: 201 with the secret, shown once; GET lists and shows the endpoint without it", async () => {
  const created = await createWebhook({ events: ["message.read", "user.online", "message.read"], description: "billing backend" });
  assert.deepEqual(Object.keys(created).sort(), ["createdAt", "description", "enabled", "events", "id", "secret", "url"]);
  assert.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(created.events, ["message.read", "user.online"], "repeats count once");
  assert.equal(created.url, URL_);
  assert.equal(created.description, "billing backend");
  assert.equal((created as unknown as { enabled: boolean }).enabled, true);
  assert.equal((await secretsOf(created.id)).secret, created.secret, "the hub keeps the secret itself (it signs with it)");

  const listed = await api(hub.url, "GET", "/api/webhooks");
  assert.equal(listed.status, 200);
  const mine = (listed.body.webhooks as Record<string, unknown>[]).find((w) => w.id === created.id);
  assert.ok(mine);
  assert.deepEqual(Object.keys(mine).sort(), VIEW_KEYS);
  assert.equal(mine.disabledReason, null);
  const one = await api(hub.url, "GET", `/api/webhooks/${created.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, mine);
  for (const body of [listed.body, one.body]) assert.ok(!JSON.stringify(body).includes(created.secret), "no secret after creation");

  const bare = await createWebhook();
  assert.equal(bare.description, null);
  for (const path of ["/api/webhooks/00000000-0000-0000-0000-000000000000", "/api/webhooks/not-a-uuid"]) {
    const res = await api(hub.url, "GET", path);
    assert.equal(res.status, 404, path);
    assert.equal(res.body.error.code, "not_found");
  }
});

test("GET /api/webhooks lists the endpoints oldest first", async () => {
  const first = await createWebhook({ description: "first" });
  const second = await createWebhook({ description: "second" });
  const ids = ((await api(hub.url, "GET", "/api/webhooks")).body.webhooks as { id: string; createdAt: string }[]).map((w) => w.id);
  assert.ok(ids.indexOf(first.id) < ids.indexOf(second.id));
  const times = ((await api(hub.url, "GET", "/api/webhooks")).body.webhooks as { createdAt: string }[]).map((w) => Date.parse(w.createdAt));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
});

test("bad input is a 400 invalid_body naming what is wrong, and stores nothing", async () => {
  const before = (await api(hub.url, "GET", "/api/webhooks")).body.webhooks.length as number;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ url: URL_, events: ["message.delivered", "message.sent"] }, /events\[1\].*"message\.sent"/],
    [{ url: URL_, events: [] }, /events/],
    [{ url: URL_ }, /events/],
    [{ url: "ftp://example.com/hooks", events: ["user.online"] }, /url/],
    [{ url: "javascript:alert(1)", events: ["user.online"] }, /url/],
    [{ url: "not a url", events: ["user.online"] }, /url/],
    [{ url: `https://example.com/${"a".repeat(2048)}`, events: ["user.online"] }, /url/],
    [{ events: ["user.online"] }, /url/],
    [{ url: URL_, events: ["user.online"], description: "x".repeat(501) }, /description/],
    [{ url: URL_, events: ["user.online"], secret: "whsec_mine" }, /secret/],
  ];
  for (const [input, names] of cases) {
    const res = await api(hub.url, "POST", "/api/webhooks", input);
    assert.equal(res.status, 400, JSON.stringify(input).slice(0, 100));
    assert.equal(res.body.error.code, "invalid_body");
    assert.match(res.body.error.message, names);
  }
  assert.equal((await api(hub.url, "POST", "/api/webhooks", "{nope")).body.error.code, "invalid_json");
  assert.equal((await api(hub.url, "GET", "/api/webhooks")).body.webhooks.length, before);
});

test("url_not_allowed: private addresses without WEBHOOK_ALLOW_PRIVATE, credentials always", async () => {
  const refused = await api(publicOnly.url, "POST", "/api/webhooks", { url: "http://127.0.0.1/hooks", events: ["user.online"] });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.code, "url_not_allowed");
  assert.match(refused.body.error.message, /127\.0\.0\.1 is a loopback address/);
  for (const url of ["http://10.1.2.3/hooks", "http://[::1]:8080/hooks", "http://169.254.169.254/latest"]) {
    assert.equal((await api(publicOnly.url, "POST", "/api/webhooks", { url, events: ["user.online"] })).body.error?.code, "url_not_allowed", url);
  }
  assert.equal((await api(hub.url, "POST", "/api/webhooks", { url: "http://127.0.0.1/hooks", events: ["user.online"] })).status, 201, "allowed in test");
  const credentials = await api(hub.url, "POST", "/api/webhooks", { url: "http://user:pass@127.0.0.1/hooks", events: ["user.online"] });
  assert.equal(credentials.body.error?.code, "url_not_allowed");
  assert.match(credentials.body.error.message, /username or password/);
  const listed = (await api(hub.url, "GET", "/api/webhooks")).body.webhooks as { url: string }[];
  assert.ok(!listed.some((w) => w.url.includes("10.1.2.3") || w.url.includes("user:pass")), "nothing refused was stored");
});

test("rotate: a new secret; the old one signs beside it for 24 hours; a second rotation keeps the then-current one", async () => {
  const created = await createWebhook();
  const rotated = await api(hub.url, "POST", `/api/webhooks/${created.id}/rotate`);
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  assert.deepEqual(Object.keys(rotated.body).sort(), ["id", "previousSecretExpiresAt", "secret"]);
  assert.equal(rotated.body.id, created.id);
  assert.match(rotated.body.secret, /^whsec_/);
  assert.notEqual(rotated.body.secret, created.secret);
  assert.ok(Math.abs(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now() - DAY_MS) < 60_000, rotated.body.previousSecretExpiresAt);
  let row = await secretsOf(created.id);
  assert.equal(row.secret, rotated.body.secret);
  assert.equal(row.previous_secret, created.secret);
  assert.equal(row.previous_until!.toISOString(), rotated.body.previousSecretExpiresAt);
  assert.ok(!JSON.stringify((await api(hub.url, "GET", `/api/webhooks/${created.id}`)).body).includes("whsec_"));

  const again = await api(hub.url, "POST", `/api/webhooks/${created.id}/rotate`);
  row = await secretsOf(created.id);
  assert.deepEqual([row.secret, row.previous_secret], [again.body.secret, rotated.body.secret]);

  // Two at once: the later one moves the earlier one's secret aside; neither is lost without its overlap.
  const [a, b] = await Promise.all([1, 2].map(() => api(hub.url, "POST", `/api/webhooks/${created.id}/rotate`)));
  row = await secretsOf(created.id);
  assert.deepEqual([row.secret, row.previous_secret].sort(), [a!.body.secret, b!.body.secret].sort());

  for (const id of ["00000000-0000-0000-0000-000000000000", "nope"]) {
    assert.equal((await api(hub.url, "POST", `/api/webhooks/${id}/rotate`)).status, 404, id);
  }
});

test("attempts: newest first, limited; empty for a fresh endpoint; a bad limit is a 400 invalid_query", async () => {
  const created = await createWebhook();
  const fresh = await api(hub.url, "GET", `/api/webhooks/${created.id}/attempts`);
  assert.equal(fresh.status, 200);
  assert.deepEqual(fresh.body, { attempts: [] });
  for (const limit of ["0", "101", "abc", "0x10", "+5", "1.5", ""]) {
    const res = await api(hub.url, "GET", `/api/webhooks/${created.id}/attempts?limit=${limit}`);
    assert.equal(res.status, 400, `limit=${limit}`);
    assert.equal(res.body.error.code, "invalid_query");
  }
  for (const id of ["00000000-0000-0000-0000-000000000000", "nope"]) {
    assert.equal((await api(hub.url, "GET", `/api/webhooks/${id}/attempts`)).status, 404, id);
  }

  // The dispatcher writes these; here they are written directly (the batch is done, so nothing is sent).
  await insertBatch("msg_t1", created.id, 3, "sent");
  const written = [[1, null, "connect ECONNREFUSED", "retry"], [2, 500, null, "retry"], [3, 204, null, "sent"]] as const;
  for (const [attempt, status, error, outcome] of written) await insertAttempt("msg_t1", created.id, 3, attempt, status, error, outcome);
  const all = (await api(hub.url, "GET", `/api/webhooks/${created.id}/attempts?limit=100`)).body.attempts as Record<string, unknown>[];
  assert.deepEqual(all.map((a) => [a.attempt, a.statusCode, a.error, a.outcome]), [...written].reverse().map((w) => [...w]));
  assert.deepEqual(Object.keys(all[0]!).sort(), ["at", "attempt", "durationMs", "error", "id", "items", "outcome", "statusCode", "type", "webhookId"]);
  assert.deepEqual([all[0]!.webhookId, all[0]!.type, all[0]!.items, all[0]!.durationMs], ["msg_t1", "message.delivered", 3, 12]);
  assert.equal(typeof all[0]!.id, "string");
  assert.ok(Math.abs(Date.parse(all[0]!.at as string) - Date.now()) < 60_000);
  const two = await api(hub.url, "GET", `/api/webhooks/${created.id}/attempts?limit=2`);
  assert.deepEqual(two.body.attempts, all.slice(0, 2));
});

test("DELETE: 200 with the endpoint, then 404; its events, batches and attempts go with it", async () => {
  const created = await createWebhook({ description: "to delete" });
  await db.query("INSERT INTO webhook_outbox (endpoint_id, type, item) VALUES ($1, 'message.delivered', '{}')", [created.id]);
  await insertBatch("msg_d1", created.id, 1, "failed");
  await insertAttempt("msg_d1", created.id, 1, 1, 500, null, "failed");
  const deleted = await api(hub.url, "DELETE", `/api/webhooks/${created.id}`);
  assert.equal(deleted.status, 200);
  assert.deepEqual(Object.keys(deleted.body).sort(), VIEW_KEYS);
  assert.equal(deleted.body.id, created.id);
  assert.equal(deleted.body.description, "to delete");
  assert.ok(!JSON.stringify(deleted.body).includes(created.secret));
  for (const table of ["webhook_outbox", "webhook_batches", "webhook_attempts"]) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE endpoint_id = $1`, [created.id]);
    assert.equal(row!.n, 0, table);
  }
  for (const [method, path] of [["DELETE", ""], ["GET", ""], ["POST", "/rotate"], ["GET", "/attempts"]]) {
    const res = await api(hub.url, method!, `/api/webhooks/${created.id}${path}`);
    assert.equal(res.status, 404, `${method} …${path}`);
    assert.equal(res.body.error.code, "not_found");
  }
  assert.ok(!((await api(hub.url, "GET", "/api/webhooks")).body.webhooks as { id: string }[]).some((w) => w.id === created.id));
  assert.equal((await api(hub.url, "DELETE", "/api/webhooks/not-a-uuid")).status, 404);
});

test("PATCH changes url, events and description, switches off and on; bad changes are refused", async () => {
  const created = await createWebhook({ description: "first" });
  const patch = (body: unknown) => api(hub.url, "PATCH", `/api/webhooks/${created.id}`, body);

  const changed = await patch({ url: "http://127.0.0.1:9/other", events: ["message.read", "message.read", "user.online"], description: null });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(Object.keys(changed.body).sort(), VIEW_KEYS);
  assert.equal(changed.body.url, "http://127.0.0.1:9/other");
  assert.deepEqual(changed.body.events, ["message.read", "user.online"]);
  assert.equal(changed.body.description, null);

  const off = await patch({ enabled: false });
  assert.equal(off.body.enabled, false);
  assert.match(off.body.disabledReason, /admin/);
  const on = await patch({ enabled: true });
  assert.equal(on.body.enabled, true);
  assert.equal(on.body.disabledReason, null);
  assert.equal((await secretsOf(created.id)).secret, created.secret, "a change keeps the secret");

  for (const bad of [{}, { events: [] }, { events: ["message.sent"] }, { url: "ftp://x/" }, { enabled: "yes" }, { secret: "whsec_x" }]) {
    const res = await patch(bad);
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.equal(res.body.error.code, "invalid_body");
  }
  assert.equal((await api(hub.url, "PATCH", "/api/webhooks/00000000-0000-4000-8000-000000000000", { enabled: true })).status, 404);
  assert.equal((await api(hub.url, "PATCH", "/api/webhooks/nope", { enabled: true })).status, 404);
  const privateUrl = await api(publicOnly.url, "PATCH", `/api/webhooks/${created.id}`, { url: "http://10.0.0.1/hook" });
  assert.equal(privateUrl.status, 400);
  assert.equal(privateUrl.body.error.code, "url_not_allowed");
});

test("every webhook route needs the admin scope: publish, read and manage keys get 403", async () => {
  const keyWith = async (scope: string) => {
    const res = await api(hub.url, "POST", "/api/keys", { name: `webhooks-${scope}`, scopes: [scope] });
    assert.equal(res.status, 201);
    return { authorization: `Bearer ${res.body.key as string}` };
  };
  const target = await createWebhook();
  const routes = (id: string): [string, string, unknown?][] => [
    ["POST", "/api/webhooks", { url: URL_, events: ["user.offline"] }],
    ["GET", "/api/webhooks"],
    ["GET", `/api/webhooks/${id}`],
    ["POST", `/api/webhooks/${id}/rotate`],
    ["PATCH", `/api/webhooks/${id}`, { description: "changed" }],
    ["GET", `/api/webhooks/${id}/attempts`],
    ["DELETE", `/api/webhooks/${id}`],
  ];
  for (const scope of ["publish", "read", "manage"]) {
    const as = await keyWith(scope);
    for (const [method, path, body] of routes(target.id)) {
      const res = await api(hub.url, method, path, body, as);
      assert.equal(res.status, 403, `${scope} key: ${method} ${path}`);
      assert.equal(res.body.error.code, "forbidden");
    }
  }
  assert.equal((await api(hub.url, "GET", `/api/webhooks/${target.id}`)).status, 200, "the refused DELETEs deleted nothing");
  const admin = await keyWith("admin");
  for (const [method, path, body] of routes(target.id)) {
    const res = await api(hub.url, method, path, body, admin);
    assert.ok(res.status >= 200 && res.status < 300, `admin key: ${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  }
});
