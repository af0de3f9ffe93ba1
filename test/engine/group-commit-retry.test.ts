// A group commit whose COMMIT happened but whose reply was lost: the hub retries it with the same token
// and answers from what the first try stored — never storing the messages twice.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { api } from "../support/http.ts";
import { streamStates } from "../support/stream-state.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { startTestHub, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
let proxy: TcpProxy;
let hub: TestHub;
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("gcretry");
  proxy = await startTcpProxy(Number(new URL(db.url).port || 5432), new URL(db.url).hostname);
  const proxied = new URL(db.url);
  proxied.port = String(proxy.port);
  hub = await startTestHub(proxied.toString(), { ACK_TIMEOUT_MS: "1000", LEASE_MARGIN_MS: "500", GROUP_COMMIT_MS: "2" });
});

after(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
  await proxy?.close();
  await db?.drop();
});

const storedIds = async (uid: string) =>
  (await db.query<{ id: string }>("SELECT noce_ack::text AS id FROM messages WHERE to_uid = $1 ORDER BY noce_ack", [uid])).map((r) => r.id);

test("the reply of a committed group commit is lost: 202 with 10 ids, exactly those 10 rows stored, delivered once", async (t) => {
  const client = await connectClient(hub.url, "gc-lost");
  clients.push(client);
  const batchesBefore = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accept_batches"))[0]!.n;

  // The marker travels with the accept's parameters (statements are prepared: their text goes once).
  const { fired } = proxy.dropReplyAfter("lost-reply-marker");
  const messages = Array.from({ length: 10 }, (_, n) => ({ uid: "gc-lost", msg: { n, marker: "lost-reply-marker" } }));
  const sentAt = Date.now();
  const res = await api(hub.url, "POST", "/api/messages/batch", { messages });
  const replyMs = Date.now() - sentAt;
  await Promise.race([fired, new Promise((_, reject) => setTimeout(() => reject(new Error("the armed drop never fired")), 1000))]);
  assert.equal(proxy.dropped, 1, "the first try's reply was dropped after its COMMIT");

  assert.equal(res.status, 202, `reply: ${JSON.stringify(res.body)}`);
  const ids = res.body.ids as string[];
  assert.equal(ids.length, 10);
  assert.equal(new Set(ids).size, 10);

  const stored = await storedIds("gc-lost");
  assert.deepEqual(stored, ids, "the ids returned are exactly the rows stored (no second copy from the retry)");
  const [stream] = await streamStates(db, ["gc-lost"]);
  assert.equal(stream?.lastSeq, 10, "stream positions were allocated once");
  const batches = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM accept_batches"))[0]!.n;
  assert.equal(batches - batchesBefore, 1, "the retry reused the first try's group-commit token");

  // The lost reply also carried the hand-over to this hub (the uid's holder): the periodic check finds the
  // messages beyond the recorded position and reads them. Each message arrives, in order, once.
  await waitFor(() => client.ids().length === 10, "the 10 messages to arrive", 15000);
  t.diagnostic(`reply after ${replyMs} ms; all 10 delivered ${Date.now() - sentAt} ms after the request (attempt ${client.received[0]?.attempt})`);
  assert.deepEqual(client.ids(), ids, "delivered in acceptance order");
  assert.deepEqual(
    client.received.map((m) => m.id),
    ids,
    "each delivered once",
  );
});

test("after the lost reply, the hub's pool works normally: the next batch is stored once", async () => {
  const res = await api(hub.url, "POST", "/api/messages/batch", {
    messages: Array.from({ length: 10 }, (_, n) => ({ uid: "gc-after", msg: { n } })),
  });
  assert.equal(res.status, 202);
  assert.deepEqual(await storedIds("gc-after"), res.body.ids);
  assert.equal(proxy.dropped, 1, "nothing else was dropped");
});
