// Topic subscriptions and live events on two hubs sharing PostgreSQL and Redis: producers subscribe
// uids over HTTP (idempotent, counted, paged), devices subscribe themselves where their token's
// `topics` patterns allow, and a live event reaches the sockets of the topic's subscribers on any
// instance — nobody else — at once, without storage.
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { after, before, test } from "node:test";
import { connect } from "../client/src/index.ts";
import type { LivePayload } from "../client/src/protocol.ts";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_JWT_SECRET, TEST_REDIS_URL } from "./support/env.ts";
import { api } from "./support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hubA: TestHub;
let hubB: TestHub;
const clients: { close(): void }[] = [];

before(async () => {
  db = await createTestDatabase("topics");
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix() };
  [hubA, hubB] = [await startTestHub(db.url, env), await startTestHub(db.url, env)];
});
after(async () => {
  for (const c of clients) c.close();
  await hubA?.stop();
  await hubB?.stop();
  await db?.drop();
});

const tokenWithTopics = (uid: string, topics: unknown) =>
  new SignJWT({ topics })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(uid)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));

/** A connected client that records its live events. */
async function listener(url: string, uid: string, token?: string): Promise<TestClient & { live: LivePayload[] }> {
  const client = Object.assign(await connectClient(url, uid, token ? { token } : {}), { live: [] as LivePayload[] });
  client.socket.on("live", (p: LivePayload) => client.live.push(p));
  clients.push(client);
  return client;
}

test("producers subscribe and unsubscribe uids idempotently; counts, pages and a uid's topics agree", async () => {
  const put = await api(hubA.url, "PUT", "/api/topics/news:sport/subscribers", { uids: ["u3", "u1", "u2", "u1"] });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual(put.body, { topic: "news:sport", added: 3, subscribers: 3 });
  assert.deepEqual((await api(hubB.url, "PUT", "/api/topics/news:sport/subscribers", { uids: ["u2", "u4"] })).body, { topic: "news:sport", added: 1, subscribers: 4 });
  const first = await api(hubA.url, "GET", "/api/topics/news:sport/subscribers?limit=3");
  assert.deepEqual(first.body, { uids: ["u1", "u2", "u3"], next: "u3", total: 4 });
  assert.deepEqual((await api(hubA.url, "GET", "/api/topics/news:sport/subscribers?after=u3&limit=3")).body, { uids: ["u4"], next: null, total: 4 });
  await api(hubA.url, "PUT", "/api/topics/news:tech/subscribers", { uids: ["u2"] });
  assert.deepEqual((await api(hubA.url, "GET", "/api/users/u2/topics")).body, { uid: "u2", topics: ["news:sport", "news:tech"] });
  const removed = await api(hubA.url, "POST", "/api/topics/news:sport/subscribers/remove", { uids: ["u2", "nobody"] });
  assert.deepEqual(removed.body, { topic: "news:sport", removed: 1, subscribers: 3 });
  assert.deepEqual((await api(hubA.url, "GET", "/api/users/u2/topics")).body.topics, ["news:tech"]);
  assert.deepEqual((await api(hubA.url, "GET", "/api/topics/never:used/subscribers")).body, { uids: [], next: null, total: 0 });
  for (const [method, path, body] of [
    ["PUT", "/api/topics/bad topic/subscribers", { uids: ["x"] }],
    ["PUT", "/api/topics/news:*/subscribers", { uids: ["x"] }],
    ["PUT", "/api/topics/ok/subscribers", { uids: [] }],
    ["PUT", "/api/topics/ok/subscribers", { uids: Array.from({ length: 10_001 }, (_, i) => `u${i}`) }],
    ["GET", "/api/topics/ok/subscribers?limit=0", undefined],
    ["POST", "/api/topics/ok/live", { event: "x" }],
  ] as const) {
    const res = await api(hubA.url, method, path, body);
    assert.equal(res.status, 400, `${method} ${path}`);
  }
});

test("10,000 uids in one call, concurrent calls on one topic keep its count exact", async () => {
  const uids = Array.from({ length: 10_000 }, (_, i) => `bulk-${i}`);
  const started = performance.now();
  const res = await api(hubA.url, "PUT", "/api/topics/bulk/subscribers", { uids });
  console.log(`10,000 subscriptions in one call: ${Math.round(performance.now() - started)} ms`);
  assert.deepEqual(res.body, { topic: "bulk", added: 10_000, subscribers: 10_000 });
  const halves = await Promise.all([
    api(hubA.url, "POST", "/api/topics/bulk/subscribers/remove", { uids: uids.slice(0, 6000) }),
    api(hubB.url, "POST", "/api/topics/bulk/subscribers/remove", { uids: uids.slice(4000) }),
  ]);
  assert.equal(halves[0]!.body.removed + halves[1]!.body.removed, 10_000);
  const [row] = await db.query<{ subscribers: string; rows: string }>(
    "SELECT subscribers, (SELECT count(*) FROM topic_subscriptions WHERE topic = 'bulk') AS rows FROM topics WHERE topic = 'bulk'",
  );
  assert.deepEqual([Number(row!.subscribers), Number(row!.rows)], [0, 0]);
});

test("a live event reaches the subscribers' sockets on every instance and nobody else; unsubscribed sockets stop hearing it", async () => {
  const fan = await listener(hubB.url, "fan-1");
  const fanPhone = await listener(hubA.url, "fan-1");
  const other = await listener(hubA.url, "not-a-fan");
  await api(hubA.url, "PUT", "/api/topics/scores:m1/subscribers", { uids: ["fan-1"] });
  await sleep(200); // the rooms follow the subscription through Redis
  const live = await api(hubA.url, "POST", "/api/topics/scores:m1/live", { event: "goal", data: { score: "1:0" } });
  assert.equal(live.status, 202);
  await waitFor(() => fan.live.length === 1 && fanPhone.live.length === 1, "both devices of the subscriber hear it");
  assert.deepEqual(fan.live[0], { topic: "scores:m1", event: "goal", data: { score: "1:0" } });
  const late = await listener(hubB.url, "fan-1");
  await api(hubB.url, "POST", "/api/topics/scores:m1/live", { data: 2 });
  await waitFor(() => late.live.length === 1, "a device connecting later joins its uid's topics");
  assert.equal(late.live[0]!.event, "live", "the default event name");
  await api(hubB.url, "POST", "/api/topics/scores:m1/subscribers/remove", { uids: ["fan-1"] });
  await sleep(200);
  await api(hubA.url, "POST", "/api/topics/scores:m1/live", { data: 3 });
  await sleep(300);
  assert.equal(fan.live.length, 2);
  assert.equal(fanPhone.live.length, 2);
  assert.equal(other.live.length, 0, "never a non-subscriber");
});

test("a device subscribes itself only where its token's topics patterns allow; * is one whole segment", async () => {
  const token = await tokenWithTopics("reader-1", ["news:*", "weather"]);
  const device = await listener(hubA.url, "reader-1", token);
  const ask = (event: string, payload: unknown) => device.socket.timeout(5000).emitWithAck(event, payload) as Promise<Record<string, unknown>>;
  assert.deepEqual(await ask("subscribe", { topic: "news:sport" }), { topic: "news:sport", subscribed: true });
  assert.deepEqual(await ask("subscribe", { topic: "weather" }), { topic: "weather", subscribed: true });
  for (const topic of ["news", "news:sport:live", "sport:news", "weather:today"]) {
    assert.deepEqual((await ask("subscribe", { topic }))["error"], { code: "forbidden", message: "this token's topics claim does not allow this topic" }, topic);
  }
  assert.equal(((await ask("subscribe", { topic: "news:*" })).error as { code: string }).code, "invalid_payload");
  assert.equal(((await ask("subscribe", { nope: 1 })).error as { code: string }).code, "invalid_payload");
  assert.deepEqual((await api(hubB.url, "GET", "/api/users/reader-1/topics")).body.topics, ["news:sport", "weather"]);
  await sleep(100);
  await api(hubB.url, "POST", "/api/topics/news:sport/live", { data: "hello" });
  await waitFor(() => device.live.length === 1, "it hears the topic it subscribed to");
  assert.deepEqual(await ask("unsubscribe", { topic: "news:sport" }), { topic: "news:sport", subscribed: false });
  assert.deepEqual((await api(hubB.url, "GET", "/api/users/reader-1/topics")).body.topics, ["weather"]);

  const plain = await listener(hubA.url, "reader-2");
  const refused = (await plain.socket.timeout(5000).emitWithAck("subscribe", { topic: "news:sport" })) as { error: { code: string } };
  assert.equal(refused.error.code, "forbidden", "no topics claim: no self-subscription");
  await assert.rejects(connectClient(hubA.url, "reader-3", { token: await tokenWithTopics("reader-3", ["bad*pattern"]) }), /unauthorized/);
});

test("an API key's topic patterns bound the topic routes; its uid prefix bounds the uids it subscribes", async () => {
  const created = await api(hubA.url, "POST", "/api/keys", { name: "news-desk", scopes: ["manage", "read", "publish"], topics: ["news:*"], uidPrefix: "n-" });
  const key = { authorization: `Bearer ${created.body.key as string}` };
  assert.equal((await api(hubA.url, "PUT", "/api/topics/news:x/subscribers", { uids: ["n-1"] }, key)).status, 200);
  assert.equal((await api(hubA.url, "PUT", "/api/topics/sport:x/subscribers", { uids: ["n-1"] }, key)).status, 403);
  assert.equal((await api(hubA.url, "PUT", "/api/topics/news:x/subscribers", { uids: ["n-2", "m-1"] }, key)).status, 403);
  assert.equal((await api(hubA.url, "POST", "/api/topics/sport:x/live", { data: 1 }, key)).status, 403);
  assert.equal((await api(hubA.url, "GET", "/api/topics/sport:x/subscribers", undefined, key)).status, 403);
  await api(hubA.url, "PUT", "/api/topics/sport:x/subscribers", { uids: ["n-1"] });
  assert.deepEqual((await api(hubA.url, "GET", "/api/users/n-1/topics", undefined, key)).body.topics, ["news:x"], "only the topics it may see");
});

test("the SDK subscribes, hears live events and unsubscribes against a live hub", async () => {
  const inbox = connect({ url: hubA.url, token: () => tokenWithTopics("sdk-1", ["room:*"]), socketOptions: { transports: ["websocket"] } });
  clients.push(inbox);
  const heard: LivePayload[] = [];
  inbox.onLive((e) => heard.push(e));
  await waitFor(() => inbox.status === "connected", "connected");
  await inbox.subscribe("room:7");
  await api(hubB.url, "POST", "/api/topics/room:7/live", { event: "typing", data: { who: "ann" } });
  await waitFor(() => heard.length === 1, "the live event");
  assert.deepEqual(heard[0], { topic: "room:7", event: "typing", data: { who: "ann" } });
  await assert.rejects(inbox.subscribe("lobby"), (err: Error & { code?: string }) => err.code === "forbidden");
  await assert.rejects(inbox.subscribe("bad topic"), (err: Error & { code?: string }) => err.code === "invalid_argument");
  await inbox.unsubscribe("room:7");
  assert.deepEqual((await api(hubA.url, "GET", "/api/users/sdk-1/topics")).body.topics, []);
});
