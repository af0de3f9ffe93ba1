// The inbox on a live hub with real PostgreSQL and socket.io-client: unread counts pushed to every
// device, read and readUpTo propagating between devices, sync after another device acked, cancel,
// expiry, and sync paging and O(1) unread counts on a uid with a long history.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api, messageStatus } from "./support/http.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";

let db: TestDatabase;
let hub: TestHub;
const clients: TestClient[] = [];

/** A device of `uid` that records its `unread` and `readState` events. */
async function device(uid: string, acking = true) {
  const c = await connectClient(hub.url, uid, { acking });
  clients.push(c);
  const unread: number[] = [];
  const readStates: { ids?: string[]; upTo?: string }[] = [];
  c.socket.on("unread", (p: { count: number }) => unread.push(p.count));
  c.socket.on("readState", (p: { ids?: string[]; upTo?: string }) => readStates.push(p));
  const request = (event: string, payload: unknown) => c.socket.timeout(5000).emitWithAck(event, payload) as Promise<Record<string, unknown>>;
  return { c, unread, readStates, request, lastUnread: () => unread[unread.length - 1] };
}

async function publish(uid: string, n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1000) {
    const messages = Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ uid, msg: { n: i + k }, ...extra }));
    const res = await api(hub.url, "POST", "/api/messages/batch", { messages });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    ids.push(...(res.body.ids as string[]));
  }
  return ids;
}

const unreadOverHttp = async (uid: string) => (await api(hub.url, "GET", `/api/users/${uid}/unread`)).body.unread as number;

before(async () => {
  db = await createTestDatabase("inbox");
  hub = await startTestHub(db.url, { UNREAD_PUSH_MS: "20" });
});

after(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
  await db?.drop();
});

test("unread counts reach every device; read on one clears it on the other, live", async () => {
  const ids = await publish("ann", 3);
  assert.equal(await unreadOverHttp("ann"), 3);
  const phone = await device("ann");
  const laptop = await device("ann");
  await waitFor(() => phone.lastUnread() === 3 && laptop.lastUnread() === 3, "the count on connect");
  await waitFor(() => phone.c.ids().length === 3, "delivery");

  assert.deepEqual(await phone.request("read", { ids: [ids[0]] }), { updated: 1 });
  await waitFor(() => laptop.readStates.some((r) => r.ids?.[0] === ids[0]), "readState on the other device");
  await waitFor(() => laptop.lastUnread() === 2 && phone.lastUnread() === 2, "2 unread on both");
  assert.deepEqual(await laptop.request("read", { ids: [ids[0]] }), { updated: 0 }, "already read");

  await publish("ann", 1);
  await waitFor(() => phone.lastUnread() === 3 && laptop.lastUnread() === 3, "a new message counts");

  assert.deepEqual(await laptop.request("readUpTo", { id: ids[2] }), { updated: 2 });
  await waitFor(() => phone.readStates.some((r) => r.upTo === ids[2]), "readUpTo reaches the phone");
  await waitFor(() => phone.lastUnread() === 1, "1 unread");

  const newest = (await api(hub.url, "GET", "/api/users/ann/messages?limit=1")).body.messages[0].id as string;
  const byProducer = await api(hub.url, "POST", "/api/users/ann/read", { upTo: newest });
  assert.deepEqual(byProducer.body, { updated: 1, unread: 0 });
  await waitFor(() => phone.lastUnread() === 0 && laptop.lastUnread() === 0, "a producer's read reaches the devices");
  assert.equal(await messageStatus(hub.url, newest), "read");
});

test("another device's uid cannot be read, and bad payloads get error acks", async () => {
  const [theirs] = await publish("bob", 1);
  const eve = await device("eve");
  assert.deepEqual(await eve.request("read", { ids: [theirs] }), { updated: 0 });
  assert.deepEqual(await eve.request("readUpTo", { id: theirs }), { updated: 0 });
  assert.equal(await unreadOverHttp("bob"), 1);
  for (const [event, payload] of [["read", { ids: [] }], ["readUpTo", { id: "x" }], ["sync", { limit: 0 }], ["sync", "nope"]] as const) {
    const reply = await eve.request(event, payload);
    assert.equal((reply.error as { code: string }).code, "invalid_payload", `${event} ${JSON.stringify(payload)}`);
  }
  assert.equal((await api(hub.url, "POST", "/api/users/bob/read", { ids: ["abc"] })).status, 400);
  assert.equal((await api(hub.url, "POST", "/api/users/bob/read", { ids: [theirs], upTo: theirs })).status, 400);
});

test("a device that connects later syncs what another device already acked", async () => {
  const phone = await device("cat");
  const ids = await publish("cat", 5);
  await waitFor(() => phone.c.ids().length === 5, "the phone gets and acks all 5");
  await waitFor(async () => (await messageStatus(hub.url, ids[4]!)) === "delivered", "acked position recorded");
  const laptop = await device("cat");
  await sleep(300);
  assert.equal(laptop.c.received.length, 0, "nothing is redelivered: the phone acked it");
  const page = await laptop.request("sync", { since: ids[0] });
  const synced = page.messages as { id: string; status: string; readAt: string | null; msg: unknown }[];
  assert.deepEqual(synced.map((m) => m.id), ids.slice(1));
  assert.ok(synced.every((m) => m.status === "delivered" && m.readAt === null));
  assert.deepEqual(synced[0]!.msg, { n: 1 });
  assert.equal(page.next, null);
  assert.equal(page.unread, 5);
});

test("a cancelled message is never delivered, leaves sync and the unread count; cancel is idempotent", async () => {
  const ids = await publish("dan", 3);
  assert.equal((await api(hub.url, "DELETE", `/api/messages/${ids[1]}`)).status, 200);
  assert.deepEqual((await api(hub.url, "DELETE", `/api/messages/${ids[1]}`)).body, { id: ids[1], status: "cancelled" });
  assert.equal((await api(hub.url, "DELETE", "/api/messages/999999999")).status, 404);
  assert.equal(await unreadOverHttp("dan"), 2);
  assert.equal(await messageStatus(hub.url, ids[1]!), "cancelled");
  const d = await device("dan");
  await waitFor(() => d.c.ids().length === 2, "the other two");
  await sleep(300);
  assert.deepEqual(d.c.ids(), [ids[0], ids[2]]);
  const page = await d.request("sync", {});
  assert.deepEqual((page.messages as { id: string }[]).map((m) => m.id), [ids[0], ids[2]]);
  assert.deepEqual(await d.request("sync", { since: "0" }), page, 'since "0" is the whole history');
});

test("an unread message that expires leaves the count, and the devices hear it", async () => {
  const d = await device("fay");
  await publish("fay", 1, { ttlSeconds: 1 });
  await publish("fay", 1);
  await waitFor(() => d.lastUnread() === 2, "2 unread");
  await sleep(1200);
  await hub.hub.housekeeping.runOnce();
  await waitFor(() => d.lastUnread() === 1, "the expired one leaves the count");
  assert.equal(await unreadOverHttp("fay"), 1);
});

test("100,000 messages: sync pages the newest 10,000 in order; the unread count is two key lookups", async () => {
  const ids = await publish("gus", 100_000);
  const since = ids[ids.length - 10_001]!;
  const d = await device("gus", false);
  const seen: string[] = [];
  let cursor: string | null = since;
  let pages = 0;
  while (cursor !== null) {
    const page = await d.request("sync", { since: cursor, limit: 500 });
    seen.push(...(page.messages as { id: string }[]).map((m) => m.id));
    cursor = page.next as string | null;
    pages++;
  }
  assert.equal(pages, 20);
  assert.deepEqual(seen, ids.slice(-10_000), "exactly the newest 10,000, oldest first, none twice");

  assert.equal(await unreadOverHttp("gus"), 100_000);
  // With a handful of uids a scan of uid_heads is the planner's cheapest way; give it the many uids a
  // deployment has, so the plan shows what the count costs there.
  await db.query(`INSERT INTO uid_heads (uid) SELECT 'other-' || g FROM generate_series(1, 20000) g`);
  await db.query(`ANALYZE uid_heads`);
  const [plan] = await db.query<{ "QUERY PLAN": unknown }>(
    `EXPLAIN (FORMAT JSON, ANALYZE) SELECT u.uid, COALESCE(h.last_seq, 0) - COALESCE(i.cleared, 0) AS unread
     FROM unnest(ARRAY['gus']::text[]) AS u(uid) LEFT JOIN uid_heads h ON h.uid = u.uid LEFT JOIN uid_inbox i ON i.uid = u.uid`,
  );
  const text = JSON.stringify(plan!["QUERY PLAN"]);
  assert.doesNotMatch(text, /"Relation Name":"messages/, "no scan of the message log");
  assert.match(text, /"Index Name":"uid_heads_pkey"/);
  assert.doesNotMatch(text, /Seq Scan/);
  const marked = await api(hub.url, "POST", "/api/users/gus/read", { upTo: ids[49_999] });
  assert.deepEqual(marked.body, { updated: 50_000, unread: 50_000 });
});
