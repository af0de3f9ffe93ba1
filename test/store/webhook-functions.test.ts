// The webhook SQL functions as SQL: rows set up with the hub's own accept statement and plain INSERTs,
// functions called directly, rows read back. Events are written by the change that reports them (and only
// for endpoints that want them), batched at most 100 per POST, claimed within each endpoint's in-flight
// limit, and an attempt's outcome is fenced by its number.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, test } from "node:test";
import pg from "pg";
import { acceptStatement } from "../../server/store/accept-statement.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let db: TestDatabase;
let c: pg.Client;

before(async () => {
  db = await createTestDatabase("whsql");
  c = new pg.Client({ connectionString: db.url });
  await c.connect();
});
after(async () => {
  await c?.end();
  await db?.drop();
});
beforeEach(async () => {
  await c.query("TRUNCATE webhook_endpoints, webhook_outbox, webhook_batches, webhook_attempts");
});

/** Accepts `n` messages for uid (the hub's statement); returns their ids in order. */
async function accept(uid: string, n: number): Promise<string[]> {
  const messages = Array.from({ length: n }, (_, i) => ({ uid, msg: { i }, body: `{"i":${i}}`, bytes: 7, type: 4, clientType: 0, ttlSeconds: null, expiresAt: null }));
  const stmt = acceptStatement(randomUUID(), [{ producer: "p", scope: "batch", key: null, hash: randomUUID(), messages }], null);
  await c.query(stmt.text, stmt.values);
  const { rows } = await c.query<{ id: string }>("SELECT noce_ack::text AS id FROM messages WHERE to_uid = $1 ORDER BY noce_ack", [uid]);
  return rows.map((r) => r.id).slice(-n);
}

async function endpoint(events: string[]): Promise<string> {
  const id = randomUUID();
  await c.query("INSERT INTO webhook_endpoints (id, url, events, secret) VALUES ($1, 'http://127.0.0.1:9/', $2, 'whsec_x')", [id, events]);
  return id;
}

/** Acks uid's seqs first..acked (the holder's position write: one receipt). */
async function ack(uid: string, first: number, acked: number, ackedId: string) {
  await c.query("SELECT push_hub_write_positions($1, $2, $3, $4, $3, $5, $6)", [[uid], [first], [acked], [ackedId], [1], [0]]);
}

const outbox = async (type: string) =>
  (await c.query<{ endpoint_id: string; item: Record<string, string> }>("SELECT endpoint_id, item FROM webhook_outbox WHERE type = $1 ORDER BY id", [type])).rows;

test("a receipt writes message.delivered for its messages, only for endpoints that want it", async () => {
  const wants = await endpoint(["message.delivered"]);
  await endpoint(["message.read"]);
  const ids = await accept("u-d", 5);
  await ack("u-d", 1, 3, ids[2]!);
  const rows = await outbox("message.delivered");
  assert.deepEqual(rows.map((r) => r.item.id), ids.slice(0, 3));
  assert.ok(rows.every((r) => r.endpoint_id === wants && r.item.uid === "u-d" && /Z$/.test(r.item.deliveredAt!)));
  await ack("u-d", 4, 5, ids[4]!);
  assert.deepEqual((await outbox("message.delivered")).map((r) => r.item.id), ids);
});

test("no endpoint wants it: nothing is written", async () => {
  await endpoint(["message.read"]);
  const ids = await accept("u-none", 2);
  await ack("u-none", 1, 2, ids[1]!);
  assert.equal((await outbox("message.delivered")).length, 0);
});

test("cancelled messages in an acked range are not reported delivered; the cancel is", async () => {
  await endpoint(["message.delivered", "message.cancelled"]);
  const ids = await accept("u-c", 3);
  await c.query("SELECT * FROM push_hub_cancel($1)", [ids[1]]);
  await c.query("SELECT * FROM push_hub_cancel($1)", [ids[1]]); // idempotent: reported once
  await ack("u-c", 1, 3, ids[2]!);
  assert.deepEqual((await outbox("message.delivered")).map((r) => r.item.id), [ids[0], ids[2]]);
  assert.deepEqual((await outbox("message.cancelled")).map((r) => r.item.id), [ids[1]]);
});

test("reads write message.read for the ids that became read, once", async () => {
  await endpoint(["message.read"]);
  const ids = await accept("u-r", 4);
  await ack("u-r", 1, 4, ids[3]!);
  await c.query("SELECT * FROM push_hub_mark_read($1, $2, NULL)", ["u-r", [ids[0]]]);
  await c.query("SELECT * FROM push_hub_mark_read($1, NULL, $2)", ["u-r", ids[2]]);
  assert.deepEqual((await outbox("message.read")).map((r) => r.item.id), [ids[0], ids[1], ids[2]]);
});

test("the expiry sweep reports messages that expired undelivered, not delivered ones", async () => {
  await endpoint(["message.expired"]);
  const ids = await accept("u-e", 3);
  await ack("u-e", 1, 1, ids[0]!);
  await c.query("UPDATE messages SET expires_at = now() - interval '1 second' WHERE to_uid = 'u-e'");
  await c.query("UPDATE inbox_expiry SET swept_to = now() - interval '1 minute'");
  await c.query("SELECT * FROM push_hub_sweep_expired()");
  assert.deepEqual((await outbox("message.expired")).map((r) => r.item.id), [ids[1], ids[2]]);
});

test("batches: one type and one endpoint each, at most p_items items, oldest first", async () => {
  const a = await endpoint(["user.online"]);
  const b = await endpoint(["user.online", "user.offline"]);
  const items = Array.from({ length: 250 }, (_, i) => ({ uid: `u${i}`, at: "2026-12-04T00:00:00.000Z" }));
  await c.query("SELECT push_hub_webhook_record('user.online', $1::jsonb)", [JSON.stringify(items)]);
  await c.query("SELECT push_hub_webhook_record('user.offline', $1::jsonb)", [JSON.stringify(items.slice(0, 3))]);
  const made = (await c.query<{ endpoint_id: string; item_count: number }>("SELECT * FROM push_hub_webhook_batch(10000, 100)")).rows;
  assert.deepEqual(made.map((m) => m.item_count).sort((x, y) => x - y), [3, 50, 50, 100, 100, 100, 100]);
  const { rows } = await c.query<{ endpoint_id: string; type: string; items: { uid: string }[] }>(
    "SELECT endpoint_id, type, items FROM webhook_batches ORDER BY endpoint_id, type, items->0->>'uid'",
  );
  const uidsOf = (ep: string, type: string) => rows.filter((r) => r.endpoint_id === ep && r.type === type).flatMap((r) => r.items.map((i) => i.uid));
  assert.equal(new Set(uidsOf(a, "user.online")).size, 250);
  assert.equal(new Set(uidsOf(b, "user.online")).size, 250);
  assert.deepEqual(uidsOf(b, "user.offline"), ["u0", "u1", "u2"]);
  assert.equal((await c.query("SELECT 1 FROM webhook_outbox")).rowCount, 0);
});

test("claims stay within each endpoint's in-flight limit; a late answer is fenced off", async () => {
  const ep = await endpoint(["user.online"]);
  await c.query("SELECT push_hub_webhook_record('user.online', $1::jsonb)", [JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ uid: `u${i}` })))]);
  await c.query("SELECT * FROM push_hub_webhook_batch(1000, 1)");
  const first = (await c.query<{ id: string; attempt: number }>("SELECT * FROM push_hub_webhook_claim(4, 10, 60000)")).rows;
  assert.equal(first.length, 4);
  assert.equal((await c.query("SELECT * FROM push_hub_webhook_claim(4, 10, 60000)")).rowCount, 0, "four in flight: no more");
  const done = first[0]!;
  const finish = (attempt: number, outcome: string) =>
    c.query<{ ok: boolean }>("SELECT push_hub_webhook_finish($1, $2, $3, 200, NULL, 5, NULL) AS ok", [done.id, attempt, outcome]);
  assert.equal((await finish(done.attempt + 1, "sent")).rows[0]!.ok, false, "another attempt's answer");
  assert.equal((await finish(done.attempt, "sent")).rows[0]!.ok, true);
  assert.equal((await finish(done.attempt, "sent")).rows[0]!.ok, false, "recorded once");
  const next = (await c.query<{ id: string }>("SELECT * FROM push_hub_webhook_claim(4, 10, 60000)")).rows;
  assert.equal(next.length, 1, "one place freed");
  const attempts = (await c.query("SELECT outcome, status_code FROM webhook_attempts WHERE endpoint_id = $1", [ep])).rows;
  assert.deepEqual(attempts, [{ outcome: "sent", status_code: 200 }]);
});

test("410 disables the endpoint and keeps its batch; retries wait for their time", async () => {
  const ep = await endpoint(["user.online"]);
  await c.query("SELECT push_hub_webhook_record('user.online', '[{\"uid\":\"x\"},{\"uid\":\"y\"}]'::jsonb)");
  await c.query("SELECT * FROM push_hub_webhook_batch(1000, 1)");
  const [one, two] = (await c.query<{ id: string; attempt: number }>("SELECT * FROM push_hub_webhook_claim(4, 10, 60000)")).rows;
  await c.query("SELECT push_hub_webhook_finish($1, $2, 'retry', 500, 'HTTP 500', 5, now() + interval '1 hour')", [one!.id, one!.attempt]);
  await c.query("SELECT push_hub_webhook_finish($1, $2, 'disable', 410, 'gone', 5, NULL)", [two!.id, two!.attempt]);
  const [row] = (await c.query("SELECT enabled, disabled_reason FROM webhook_endpoints WHERE id = $1", [ep])).rows;
  assert.equal(row.enabled, false);
  assert.match(row.disabled_reason, /410/);
  const states = (await c.query("SELECT state FROM webhook_batches ORDER BY id")).rows.map((r) => r.state);
  assert.deepEqual(states, ["pending", "pending"]);
  await c.query("UPDATE webhook_endpoints SET enabled = true");
  const again = (await c.query<{ id: string }>("SELECT * FROM push_hub_webhook_claim(4, 10, 60000)")).rows.map((r) => r.id);
  assert.deepEqual(again, [two!.id], "the retry waits for its time; the 410'd batch goes once enabled again");
});

test("deleting an endpoint while a dispatcher holds its rows and then needs the endpoint: both finish, no deadlock", async () => {
  const { createDatabase } = await import("../../server/store/prisma.ts");
  const { deleteWebhookEndpoint } = await import("../../server/store/webhooks/endpoints.ts");
  const id = await endpoint(["message.delivered"]);
  await c.query("INSERT INTO webhook_outbox (endpoint_id, type, item) VALUES ($1, 'message.delivered', '{}')", [id]);
  const hub = createDatabase({ url: db.url, poolSize: 1, preparedStatements: false });
  try {
    await hub.db.$queryRaw`SELECT 1`; // the client connected (as the hub's pools are at start) before the race below
    const deadlocks = async () => Number((await c.query("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).rows[0].deadlocks);
    const deadlocksBefore = await deadlocks();
    // The dispatcher's order: the outbox rows first (as push_hub_webhook_batch takes them) …
    await c.query("BEGIN");
    await c.query("SELECT id FROM webhook_outbox WHERE endpoint_id = $1 FOR UPDATE", [id]);
    const deleting = deleteWebhookEndpoint(hub.db, id);
    const waiting = async () =>
      (await c.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rowCount! > 0;
    for (let i = 0; i < 250 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(await waiting(), "the delete waits for the rows the dispatcher holds");
    // … then the endpoint's key (the batch it inserts). A delete that had locked the endpoint first would
    // make this wait for it while it waits for the rows: PostgreSQL would abort one of them.
    await c.query("INSERT INTO webhook_batches (id, endpoint_id, type, items, item_count) VALUES ('msg_t', $1, 'message.delivered', '[{}]', 1)", [id]);
    await c.query("COMMIT");
    assert.equal((await deleting)?.id, id);
    assert.equal((await c.query("SELECT 1 FROM webhook_batches WHERE endpoint_id = $1", [id])).rowCount, 0);
    // The statistics collector reports with a short delay.
    await new Promise((r) => setTimeout(r, 1000));
    await c.query("SELECT pg_stat_clear_snapshot()");
    assert.equal(await deadlocks(), deadlocksBefore, "PostgreSQL found no deadlock (none was aborted and retried)");
  } finally {
    await c.query("ROLLBACK").catch(() => undefined);
    await hub.end();
  }
});
