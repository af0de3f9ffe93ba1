// Webhooks end to end against a real hub, PostgreSQL, Redis and a real receiver that verifies every POST
// with the standardwebhooks library: every event of a run arrives at least once and none is invented;
// a receiver that is down gets everything once it is back; rotation signs with both secrets; 410 switches
// the endpoint off; presence is debounced; a slow endpoint does not slow message delivery.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_REDIS_URL } from "./support/env.ts";
import { api, messageStatus, publish } from "./support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "./support/test-hub.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.ts";

let db: TestDatabase;
let hub: TestHub;
let receiver: WebhookReceiver;
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("webhooks");
  hub = await startTestHub(db.url, {
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniquePrefix(),
    WEBHOOK_RETRY_SCHEDULE: "200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms",
    WEBHOOK_OFFLINE_DEBOUNCE_MS: "400",
    WEBHOOK_TIMEOUT_MS: "5000",
  });
});
after(async () => {
  for (const c of clients) c.close();
  await receiver?.stop();
  await hub?.stop();
  await db?.drop();
});
beforeEach(async () => {
  await db.query("DELETE FROM webhook_endpoints");
  await receiver?.stop();
  receiver = await startWebhookReceiver();
});

async function createEndpoint(events: string[]): Promise<{ id: string; secret: string }> {
  const res = await api(hub.url, "POST", "/api/webhooks", { url: receiver.url, events });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  receiver.trust(res.body.secret);
  // The hub's cache of wanted types (presence) refreshes every second.
  await sleep(1100);
  return res.body;
}

const idsOf = (items: Record<string, string>[]) => new Set(items.map((i) => i.id));
const connect = async (uid: string) => {
  const c = await connectClient(hub.url, uid);
  clients.push(c);
  return c;
};

test("every message event arrives at least once, signed, with nothing invented", async () => {
  await createEndpoint(["message.delivered", "message.read", "message.cancelled", "message.expired"]);
  const a = await connect("wh-a");
  const aIds: string[] = [];
  for (let i = 0; i < 30; i++) aIds.push(await publish(hub.url, "wh-a", { n: i }));
  await waitFor(() => a.ids().length === 30, "a's 30 messages");
  const readIds = aIds.slice(0, 10);
  await a.read(readIds);

  const bLive: string[] = [];
  const bCancelled: string[] = [];
  const bExpiring: string[] = [];
  for (let i = 0; i < 5; i++) (i < 2 ? bCancelled : bLive).push(await publish(hub.url, "wh-b", { n: i }));
  for (let i = 0; i < 3; i++) bExpiring.push(await publish(hub.url, "wh-b", { n: 10 + i }, { ttlSeconds: 1 }));
  for (const id of bCancelled) assert.equal((await api(hub.url, "DELETE", `/api/messages/${id}`)).status, 200);
  await sleep(1100);
  await hub.hub.housekeeping.runOnce(); // the expiry sweep
  const b = await connect("wh-b");
  await waitFor(() => b.ids().length === 3, "b's live messages");

  await waitFor(() => idsOf(receiver.accepted("message.delivered")).size === 33, "33 delivered events", 15000);
  await waitFor(() => idsOf(receiver.accepted("message.read")).size === 10, "10 read events");
  await waitFor(() => idsOf(receiver.accepted("message.cancelled")).size === 2, "2 cancelled events");
  await waitFor(() => idsOf(receiver.accepted("message.expired")).size === 3, "3 expired events");
  await sleep(1000); // anything invented would arrive by now

  assert.deepEqual(idsOf(receiver.accepted("message.delivered")), new Set([...aIds, ...bLive]));
  assert.deepEqual(idsOf(receiver.accepted("message.read")), new Set(readIds));
  assert.deepEqual(idsOf(receiver.accepted("message.cancelled")), new Set(bCancelled));
  assert.deepEqual(idsOf(receiver.accepted("message.expired")), new Set(bExpiring));
  assert.equal(receiver.rejected.length, 0, "every POST verified");
  for (const p of receiver.posts) {
    assert.ok(p.items.length >= 1 && p.items.length <= 100);
    assert.match(p.id, /^msg_[0-9a-f]{32}$/);
    assert.ok(!Number.isNaN(Date.parse(p.bodyTimestamp)));
    assert.ok(Math.abs(p.timestamp - Date.now() / 1000) < 60);
  }
  const delivered = receiver.accepted("message.delivered").find((i) => i.id === aIds[0])!;
  assert.equal(delivered.uid, "wh-a");
  assert.ok(!Number.isNaN(Date.parse(delivered.deliveredAt!)));
  const read = receiver.accepted("message.read").find((i) => i.id === readIds[0])!;
  assert.deepEqual(Object.keys(read).sort(), ["id", "readAt", "uid"]);
  const expired = receiver.accepted("message.expired")[0]!;
  assert.deepEqual(Object.keys(expired).sort(), ["expiredAt", "id", "uid"]);
  const cancelled = receiver.accepted("message.cancelled")[0]!;
  assert.deepEqual(Object.keys(cancelled).sort(), ["cancelledAt", "id", "uid"]);
});

test("a receiver that is down gets everything once it is back; the attempts say what happened", async () => {
  const endpoint = await createEndpoint(["message.delivered"]);
  receiver.answer({ status: 503, headers: { "retry-after": "0" } });
  const c = await connect("wh-down");
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await publish(hub.url, "wh-down", { n: i }));
  await waitFor(() => c.ids().length === 20, "the messages themselves");
  await waitFor(() => receiver.posts.length >= 3, "a few refused POSTs");
  assert.equal(receiver.accepted("message.delivered").length, 0);
  receiver.answer({ status: 204 });
  await waitFor(() => idsOf(receiver.accepted("message.delivered")).size === 20, "every delivered event after the receiver is back", 15000);

  const retried = receiver.posts.filter((p) => p.answered === 503).map((p) => p.id);
  const sentLater = receiver.posts.filter((p) => p.answered === 204).map((p) => p.id);
  assert.ok(retried.some((id) => sentLater.includes(id)), "a retry keeps its webhook-id");
  const attempts = await api(hub.url, "GET", `/api/webhooks/${endpoint.id}/attempts?limit=100`);
  assert.equal(attempts.status, 200);
  const outcomes = (attempts.body.attempts as { outcome: string; statusCode: number | null }[]).map((a) => `${a.outcome}:${a.statusCode}`);
  assert.ok(outcomes.includes("retry:503") && outcomes.includes("sent:204"), outcomes.join(" "));
});

test("after a rotation both secrets verify every POST for the overlap", async () => {
  const endpoint = await createEndpoint(["message.delivered"]);
  const rotated = await api(hub.url, "POST", `/api/webhooks/${endpoint.id}/rotate`);
  assert.equal(rotated.status, 200);
  const newSecret = rotated.body.secret as string;
  receiver.trust(endpoint.secret, newSecret);
  const c = await connect("wh-rotate");
  const id = await publish(hub.url, "wh-rotate", "x");
  await waitFor(() => c.ids().length === 1, "the message");
  await waitFor(() => receiver.accepted("message.delivered").length === 1, "its delivered event");
  const post = receiver.posts.at(-1)!;
  assert.equal(post.signatures.length, 2);
  assert.deepEqual(post.verifiedBy.sort(), [endpoint.secret, newSecret].sort());
  assert.equal(post.items[0]!.id, id);
});

test("410 Gone switches the endpoint off; its POSTs are kept and go out once it is switched back on", async () => {
  const endpoint = await createEndpoint(["message.delivered"]);
  receiver.answer({ status: 410 });
  const c = await connect("wh-gone");
  const kept = await publish(hub.url, "wh-gone", 1);
  await waitFor(() => c.ids().length === 1, "the message");
  await waitFor(async () => (await api(hub.url, "GET", `/api/webhooks/${endpoint.id}`)).body.enabled === false, "the endpoint disabled");
  const view = (await api(hub.url, "GET", `/api/webhooks/${endpoint.id}`)).body;
  assert.match(view.disabledReason, /410/);
  const posts = receiver.posts.length;
  const unrecorded = await publish(hub.url, "wh-gone", 2);
  await waitFor(() => c.ids().length === 2, "the second message");
  // Its receipt (recorded within DELIVERY_RECORD_MS of the ack) is written while the endpoint is off.
  await waitFor(async () => (await messageStatus(hub.url, unrecorded)) === "delivered", "the second message's receipt");
  await sleep(300);
  assert.equal(receiver.posts.length, posts, "nothing more is sent to a disabled endpoint");

  receiver.answer({ status: 200 });
  const enabled = await api(hub.url, "PATCH", `/api/webhooks/${endpoint.id}`, { enabled: true });
  assert.equal(enabled.status, 200);
  assert.equal(enabled.body.disabledReason, null);
  await waitFor(() => receiver.accepted("message.delivered").length >= 1, "the kept POST, once switched back on");
  await sleep(800);
  assert.deepEqual(idsOf(receiver.accepted("message.delivered")), new Set([kept]), `only the kept event (not ${unrecorded}, which came while it was off)`);
});

test("presence: online at the first socket, offline after the debounce, nothing for a quick reconnect", async () => {
  await createEndpoint(["user.online", "user.offline"]);
  const first = await connect("wh-p");
  await waitFor(() => receiver.accepted("user.online").some((i) => i.uid === "wh-p"), "user.online");
  const second = await connect("wh-p");
  second.close();
  first.close();
  await sleep(100);
  const back = await connect("wh-p"); // within the 400 ms debounce
  await sleep(1200);
  assert.equal(receiver.accepted("user.online").filter((i) => i.uid === "wh-p").length, 1);
  assert.equal(receiver.accepted("user.offline").filter((i) => i.uid === "wh-p").length, 0);
  const leftAt = Date.now();
  back.close();
  await waitFor(() => receiver.accepted("user.offline").some((i) => i.uid === "wh-p"), "user.offline", 10000);
  const offline = receiver.accepted("user.offline").find((i) => i.uid === "wh-p")!;
  assert.ok(Math.abs(Date.parse(offline.at!) - leftAt) < 1000, "offline is stamped when the last socket left");
});

/** Publishes 200 messages one after another to a connected client; ms until it has them all. */
async function publishAndReceive(uid: string): Promise<number> {
  const c = await connect(uid);
  const started = Date.now();
  for (let i = 0; i < 200; i++) await publish(hub.url, uid, { n: i });
  await waitFor(() => c.ids().length === 200, "200 messages");
  return Date.now() - started;
}

test("a slow endpoint holds only its own places: messages keep flowing at full speed", async (t) => {
  const before = await publishAndReceive("wh-fast");
  await createEndpoint(["message.delivered"]);
  receiver.answer({ status: 200, delayMs: 3000 });
  const during = await publishAndReceive("wh-slow");
  await waitFor(() => receiver.posts.length >= 1, "the first slow POST");
  t.diagnostic(`200 messages published and received: ${before} ms without webhooks, ${during} ms while the endpoint answers after 3 s (POSTs in flight at most ${receiver.maxInFlight})`);
  assert.ok(receiver.maxInFlight <= 4, "at most WEBHOOK_MAX_IN_FLIGHT POSTs at once");
  assert.ok(during < before * 2 + 500, `delivery did not wait for the endpoint (${during} vs ${before} ms)`);
  const slowIds = () => idsOf(receiver.accepted("message.delivered").filter((i) => i.uid === "wh-slow"));
  await waitFor(() => slowIds().size === 200, "every delivered event, slowly", 30000);
});
