import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api, messageStatus, publish } from "./support/http.ts";
import { deliveredCount, queuedCount } from "./support/stream-state.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;
const clients: TestClient[] = [];
const connect = async (uid: string, acking = true) => {
  const c = await connectClient(hub.url, uid, { acking });
  clients.push(c);
  return c;
};

before(async () => {
  db = await createTestDatabase("delivery");
  hub = await startTestHub(db.url, { ACK_TIMEOUT_MS: "800", LEASE_MARGIN_MS: "400", RETRY_BASE_MS: "200", RETRY_MAX_MS: "1000" });
});

after(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
  await db?.drop();
});

test("publish → 202 → the connected client gets it, acks, and it is delivered", async () => {
  const client = await connect("alice");
  const res = await api(hub.url, "POST", "/api/messages", { uid: "alice", msg: { text: "hi" }, type: 7, clientType: 2 });
  assert.equal(res.status, 202);
  assert.equal(res.body.status, "queued");
  assert.match(res.body.id, /^[1-9][0-9]*$/);
  await waitFor(() => client.received.length === 1, "the message");
  const got = client.received[0]!;
  assert.equal(got.id, res.body.id);
  assert.deepEqual(got.msg, { text: "hi" });
  assert.equal(got.type, 7);
  assert.equal(got.clientType, 2);
  assert.ok(!Number.isNaN(Date.parse(got.createdAt)));
  await waitFor(async () => (await messageStatus(hub.url, res.body.id)) === "delivered", "delivered status");
  const view = (await api(hub.url, "GET", `/api/messages/${res.body.id}`)).body;
  assert.equal(view.uid, "alice");
  assert.ok(view.deliveredAt);
  assert.equal(view.readAt, null);
});

test("offline uid: 50 wait, another uid is served meanwhile, then all 50 arrive in order on connect", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) ids.push(await publish(hub.url, "bob", { n: i }));
  const carol = await connect("carol");
  const carolId = await publish(hub.url, "carol", "not blocked by bob");
  await waitFor(() => carol.received.some((m) => m.id === carolId), "carol's message while bob is offline");
  await waitFor(async () => (await messageStatus(hub.url, carolId)) === "delivered", "carol delivered");
  for (const id of [ids[0]!, ids[49]!]) assert.equal(await messageStatus(hub.url, id), "queued");

  const bob = await connect("bob");
  await waitFor(() => bob.ids().length === 50, "bob's backlog", 20000);
  assert.deepEqual(bob.ids(), ids, "backlog in acceptance order");
  assert.deepEqual(bob.received.slice(0, 50).map((m) => (m.msg as { n: number }).n), [...Array(50).keys()]);
  await waitFor(async () => (await deliveredCount(db, ids)) === 50, "all 50 delivered");
});

test("a live stream to one uid keeps acceptance order", async () => {
  const dave = await connect("dave");
  const ids = await Promise.all([...Array(30).keys()].map(async (i) => {
    await sleep(i * 3);
    return publish(hub.url, "dave", { i });
  }));
  await waitFor(() => dave.ids().length === 30, "dave's stream");
  const sorted = [...ids].sort((a, b) => Number(a) - Number(b));
  assert.deepEqual(dave.ids(), sorted);
});

test("no ack → the same id comes again after ACK_TIMEOUT_MS; after an ack it stops", async () => {
  const erin = await connect("erin", false);
  const id = await publish(hub.url, "erin", "ack me");
  await waitFor(() => erin.received.length >= 1, "first attempt");
  const first = Date.now();
  await waitFor(() => erin.received.length >= 2, "redelivery", 10000);
  assert.ok(Date.now() - first >= 700, "not before the ack timeout");
  assert.deepEqual([...new Set(erin.received.map((m) => m.id))], [id]);
  assert.equal(erin.received[1]!.attempt, 2);
  assert.equal(await messageStatus(hub.url, id), "queued");
  erin.acking = true;
  await waitFor(async () => (await messageStatus(hub.url, id)) === "delivered", "delivered after the ack", 15000);
  const count = erin.received.length;
  await sleep(2500);
  assert.equal(erin.received.length, count, "no more attempts once acked");
});

test("read marks read; nobody can read or ack another uid's messages", async () => {
  const frank = await connect("frank");
  const grace = await connect("grace");
  const mine = await publish(hub.url, "frank", "for frank");
  const hers = await publish(hub.url, "grace", "for grace");
  await waitFor(() => frank.received.length === 1 && grace.received.length === 1, "both delivered");
  assert.ok(!frank.received.some((m) => m.id === hers), "frank never sees grace's message");

  assert.deepEqual(await frank.read([hers]), { updated: 0 });
  assert.notEqual(await messageStatus(hub.url, hers), "read");
  assert.deepEqual(await frank.read([mine, hers, "999999999"]), { updated: 1 });
  const view = (await api(hub.url, "GET", `/api/messages/${mine}`)).body;
  assert.equal(view.status, "read");
  assert.ok(view.readAt);

  const bad = (await frank.read(["abc"])) as { error?: { code: string } };
  assert.equal(bad.error?.code, "invalid_payload");
  const notObject = (await frank.socket.timeout(2000).emitWithAck("read", "nonsense")) as { error?: unknown };
  assert.ok(notObject.error);
  frank.socket.emit("no-such-event", { x: 1 });
  const unknown = (await frank.socket.timeout(2000).emitWithAck("no-such-event", 1)) as { error?: { code: string } };
  assert.equal(unknown.error?.code, "unknown_event");
  frank.socket.emit("read", null);
  assert.deepEqual(await frank.read([mine]), { updated: 0 }, "socket still alive; already read");
});

test("expired messages are never delivered and show expired", async () => {
  const id = await publish(hub.url, "henry", "too late", { ttlSeconds: 1 });
  const live = await publish(hub.url, "henry", "in time", { ttlSeconds: 3600 });
  await sleep(1300);
  assert.equal(await messageStatus(hub.url, id), "expired");
  const henry = await connect("henry");
  await waitFor(() => henry.ids().includes(live), "the unexpired one");
  await sleep(500);
  assert.ok(!henry.ids().includes(id), "expired message never delivered");
  const history = (await api(hub.url, "GET", "/api/users/henry/messages?status=expired")).body;
  assert.deepEqual(history.messages.map((m: { id: string }) => m.id), [id]);
  await waitFor(async () => (await queuedCount(db, "henry")) === 0, "henry's position passes both", 5000);
  assert.equal(await messageStatus(hub.url, id), "expired", "skipped, not delivered: still expired");
  assert.equal(await messageStatus(hub.url, live), "delivered");
});
