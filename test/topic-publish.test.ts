// Durable topic publishes on two hubs sharing PostgreSQL and Redis: one publish becomes one message in
// each subscriber's own stream — online subscribers on either hub receive it (with its topic and publish
// id), offline ones on connect, after everything accepted for them before it; nobody who subscribed later,
// nobody twice, not even when subscriptions change while the fan-out runs; a cancel reaches everyone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MessagePayload } from "../client/src/protocol.ts";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_REDIS_URL } from "./support/env.ts";
import { api } from "./support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "./support/test-hub.ts";

let db: TestDatabase;
let hubA: TestHub;
let hubB: TestHub;
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("topicpub");
  // Small chunks: a fan-out of a few thousand takes many transactions, so changes can land between them.
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), TOPIC_FANOUT_CHUNK: "50" };
  [hubA, hubB] = [await startTestHub(db.url, env), await startTestHub(db.url, env)];
});
after(async () => {
  for (const c of clients) c.close();
  await hubA?.stop();
  await hubB?.stop();
  await db?.drop();
});

async function client(url: string, uid: string): Promise<TestClient> {
  const c = await connectClient(url, uid);
  clients.push(c);
  return c;
}

async function subscribe(topic: string, uids: string[]): Promise<void> {
  for (let i = 0; i < uids.length; i += 10_000) {
    const res = await api(hubA.url, "PUT", `/api/topics/${topic}/subscribers`, { uids: uids.slice(i, i + 10_000) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

async function publish(topic: string, msg: unknown, url = hubA.url): Promise<{ id: string; recipients: number }> {
  const res = await api(url, "POST", `/api/topics/${topic}/messages`, { msg });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body as { id: string; recipients: number };
}

const done = (topic: string, id: string) =>
  waitFor(async () => (await api(hubA.url, "GET", `/api/topics/${topic}/messages/${id}`)).body.status === "done", `publish ${id} fanned out`, 30_000, 50);

/** uid → number of message rows the publish gave it. */
async function rowsOf(publishId: string): Promise<Map<string, number>> {
  const rows = await db.query<{ uid: string; n: string }>("SELECT to_uid AS uid, count(*) AS n FROM messages WHERE publish_id = $1 GROUP BY to_uid", [publishId]);
  return new Map(rows.map((r) => [r.uid, Number(r.n)]));
}

const topicMessages = (c: TestClient, publishId: string): MessagePayload[] => c.received.filter((m) => m.publishId === publishId);

test("online subscribers on either hub receive it with topic and publishId, offline ones on connect; nobody else", async () => {
  await subscribe("scores:final", ["a1", "a2", "b1", "off1"]);
  const [a1, a2, b1, stranger] = await Promise.all([client(hubA.url, "a1"), client(hubA.url, "a2"), client(hubB.url, "b1"), client(hubB.url, "stranger")]);
  const { id, recipients } = await publish("scores:final", { home: 2, away: 1 }, hubB.url);
  assert.equal(recipients, 4);
  await subscribe("scores:final", ["late"]); // after the publish: not a recipient
  for (const c of [a1, a2, b1]) {
    await waitFor(() => topicMessages(c, id).length > 0, `${c.uid} to receive the publish`);
    const [m] = topicMessages(c, id);
    assert.equal(m?.topic, "scores:final");
    assert.deepEqual(m?.msg, { home: 2, away: 1 });
  }
  const ids = [a1, a2, b1].map((c) => topicMessages(c, id)[0]?.id);
  assert.equal(new Set(ids).size, 3, "each recipient's message has its own per-uid id");
  const off = await client(hubA.url, "off1");
  await waitFor(() => topicMessages(off, id).length > 0, "the offline subscriber to get it on connect");
  await done("scores:final", id);
  const late = await client(hubB.url, "late");
  await sleep(300);
  assert.equal(late.received.length, 0, "a uid subscribed after the publish gets nothing");
  assert.equal(stranger.received.length, 0, "a uid not subscribed gets nothing");
  assert.deepEqual([...(await rowsOf(id))].sort(), [["a1", 1], ["a2", 1], ["b1", 1], ["off1", 1]]);

  // The message's record and sync show where it came from.
  const view = await api(hubA.url, "GET", `/api/messages/${topicMessages(a1, id)[0]?.id}`);
  assert.equal(view.body.topic, "scores:final");
  assert.equal(view.body.publishId, id);
  assert.deepEqual(view.body.msg, { home: 2, away: 1 });
  const page = (await a1.socket.timeout(5000).emitWithAck("sync", {})) as { messages: { topic?: string; publishId?: string }[] };
  assert.equal(page.messages.at(-1)?.publishId, id);
});

test("a recipient's topic message comes after everything accepted for it before the publish", async () => {
  await subscribe("order", ["o1", "o2"]);
  const before1 = await api(hubA.url, "POST", "/api/messages", { uid: "o1", msg: "direct-before" });
  const before2 = await api(hubB.url, "POST", "/api/messages", { uid: "o2", msg: "direct-before" });
  const { id } = await publish("order", "topic");
  // Accepted once the fan-out is done: after the topic message (one accepted while it runs may land before it).
  await done("order", id);
  await api(hubA.url, "POST", "/api/messages", { uid: "o1", msg: "direct-after" });
  const [o1, o2] = await Promise.all([client(hubB.url, "o1"), client(hubA.url, "o2")]);
  await waitFor(() => o1.ids().length === 3 && o2.ids().length === 2, "every message");
  assert.deepEqual(o1.received.map((m) => m.msg), ["direct-before", "topic", "direct-after"]);
  assert.deepEqual(o2.received.map((m) => m.msg), ["direct-before", "topic"]);
  assert.ok(BigInt(before1.body.id) < BigInt(topicMessages(o1, id)[0]!.id) && BigInt(before2.body.id) < BigInt(topicMessages(o2, id)[0]!.id));
});

/**
 * One publish to 3,000 uids (50 per transaction) while the last 500 leave, 100 of them come back and 200
 * newcomers join. Returns whether the changes landed while the fan-out was still running.
 */
async function publishDuringChanges(topic: string): Promise<boolean> {
  const uids = Array.from({ length: 3000 }, (_, i) => `${topic}-${String(i).padStart(5, "0")}`);
  await subscribe(topic, uids);
  const { id, recipients } = await publish(topic, { n: 1 });
  assert.equal(recipients, 3000);
  const leaving = uids.slice(-500);
  const newcomers = Array.from({ length: 200 }, (_, i) => `${topic}-new-${i}`);
  await Promise.all([
    api(hubB.url, "POST", `/api/topics/${topic}/subscribers/remove`, { uids: leaving }),
    api(hubA.url, "PUT", `/api/topics/${topic}/subscribers`, { uids: newcomers }),
  ]);
  await api(hubA.url, "PUT", `/api/topics/${topic}/subscribers`, { uids: leaving.slice(0, 100) });
  const during = (await api(hubA.url, "GET", `/api/topics/${topic}/messages/${id}`)).body.status === "fanning_out";
  await done(topic, id);
  const rows = await rowsOf(id);
  assert.equal(rows.size, 3000, "every subscriber at the publish has a row");
  for (const uid of uids) assert.equal(rows.get(uid), 1, `${uid} has exactly one row`);
  for (const uid of newcomers) assert.equal(rows.get(uid), undefined, `${uid} subscribed later`);
  assert.equal((await api(hubA.url, "GET", `/api/topics/${topic}/messages/${id}`)).body.fannedOut, 3000);
  return during;
}

test("subscription changes during a fan-out: every subscriber at the publish gets exactly one row, later ones none", async () => {
  // The changes must land while the fan-out runs, or this proves nothing: tried again (new topic) if one was too late.
  let during = false;
  for (let attempt = 0; attempt < 3 && !during; attempt++) during = await publishDuringChanges(`busy${attempt}`);
  assert.ok(during, "in 3 attempts the subscription changes never landed while the fan-out was running");
  // Each uid's seqs stay gapless and unique: the fan-out's rows sit in the streams like accepted ones.
  const [dupes] = await db.query<{ n: string }>("SELECT count(*) AS n FROM (SELECT to_uid, stream_seq FROM messages GROUP BY 1, 2 HAVING count(*) > 1) d");
  assert.equal(Number(dupes?.n), 0);
});

test("cancelling a publish cancels it for every recipient: nothing is delivered after, unread counts drop", async () => {
  await subscribe("promo", ["c1", "c2", "c3"]);
  const { id } = await publish("promo", "50 % off");
  await done("promo", id);
  const del = await api(hubB.url, "DELETE", `/api/topics/promo/messages/${id}`);
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.equal(del.body.cancelled, 3);
  const c1 = await client(hubA.url, "c1");
  await sleep(500);
  assert.equal(topicMessages(c1, id).length, 0, "a cancelled message is never delivered");
  const unread = await api(hubA.url, "GET", "/api/users/c2/unread");
  assert.equal(unread.body.unread, 0);
  assert.equal((await api(hubA.url, "DELETE", `/api/topics/promo/messages/${id}`)).body.cancelled, 0);
  assert.ok((await api(hubA.url, "GET", `/api/topics/promo/messages/${id}`)).body.cancelledAt);
});
