import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_REDIS_URL } from "./support/env.ts";
import { api, publish } from "./support/http.ts";
import { readMetric } from "./support/metrics.ts";
import { deliveredCount } from "./support/stream-state.ts";
import { startTestHub, uniquePrefix, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let a: TestHub;
let b: TestHub;
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("multi");
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix() };
  [a, b] = await Promise.all([startTestHub(db.url, env), startTestHub(db.url, env)]);
});
after(async () => {
  for (const c of clients) c.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.drop();
});

test("a client on instance B gets what was published on instance A", async () => {
  const onB = await connectClient(b.url, "cross-1");
  clients.push(onB);
  const id = await publish(a.url, "cross-1", "from A");
  await waitFor(() => onB.ids().includes(id), "cross-instance delivery");
  await waitFor(async () => (await api(b.url, "GET", `/api/messages/${id}`)).body.status === "delivered", "delivered");
});

test("1,000 messages with both drainers running: every one delivered, no attempt emitted twice", async () => {
  const startDelivered = (await readMetric(a.url, "pushhub_messages_delivered_total")) + (await readMetric(b.url, "pushhub_messages_delivered_total"));
  const uids = [...Array(20).keys()].map((i) => `many-${i}`);
  const local = await Promise.all(uids.map((uid, i) => connectClient(i % 2 === 0 ? a.url : b.url, uid)));
  clients.push(...local);
  const published = new Map<string, string[]>();
  const jobs = [...Array(1000).keys()].map(async (n) => {
    const uid = uids[n % uids.length] as string;
    const id = await publish(n % 2 === 0 ? a.url : b.url, uid, { n });
    published.set(uid, [...(published.get(uid) ?? []), id]);
    return id;
  });
  const ids = await Promise.all(jobs);
  assert.equal(new Set(ids).size, 1000);
  await waitFor(() => local.reduce((s, c) => s + c.ids().length, 0) === 1000, "all 1,000 received", 30000);

  const received = local.flatMap((c) => c.received);
  assert.equal(received.length, 1000, "each id received exactly once: no attempt emitted by both instances");
  assert.ok(received.every((m) => m.attempt === 1));
  for (const c of local) {
    assert.deepEqual(c.ids(), [...(published.get(c.uid) ?? [])].sort((x, y) => Number(x) - Number(y)), `order for ${c.uid}`);
  }
  await waitFor(async () => (await deliveredCount(db, ids)) === 1000, "all delivered in the table");
  const redeliveries = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM deliveries WHERE uid LIKE 'many-%' AND retry_upto >= first_seq",
  );
  assert.equal(redeliveries[0]!.n, 0, "every receipt records first attempts only");
  const delivered = (await readMetric(a.url, "pushhub_messages_delivered_total")) + (await readMetric(b.url, "pushhub_messages_delivered_total"));
  assert.equal(delivered - startDelivered, 1000, "emitted attempts across both instances");
  assert.ok((await readMetric(a.url, "pushhub_messages_delivered_total")) > 0);
  assert.ok((await readMetric(b.url, "pushhub_messages_delivered_total")) > 0);
});

test("presence reports a uid online on either instance", async () => {
  const q = async (hub: TestHub) => (await api(hub.url, "GET", "/api/users/present/presence")).body;
  assert.deepEqual(await q(a), { uid: "present", online: false, connections: 0 });
  const onA = await connectClient(a.url, "present");
  clients.push(onA);
  assert.deepEqual(await q(b), { uid: "present", online: true, connections: 1 });
  const onB = await connectClient(b.url, "present");
  clients.push(onB);
  assert.deepEqual(await q(a), { uid: "present", online: true, connections: 2 });
  onA.close();
  onB.close();
  await waitFor(async () => (await q(b)).connections === 0, "offline after disconnect");
});
