// The topic publish routes as a producer meets them: validation with the direct message's rules (no uid),
// scopes and topic patterns, the 202's recipients, progress until done, Idempotency-Key replays and
// conflicts, cancel and its idempotence, the SDK showing a topic message's topic and publishId, webhook items.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect } from "../client/src/index.ts";
import type { InboxMessage } from "../client/src/inbox-events.ts";
import { waitFor } from "../loadtest/support/wait-for.ts";
import { signToken } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { api } from "./support/http.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.ts";

let db: TestDatabase;
let hub: TestHub;
let receiver: WebhookReceiver;
const closers: { close(): void }[] = [];

before(async () => {
  db = await createTestDatabase("topicapi");
  hub = await startTestHub(db.url, { MESSAGE_MAX_BYTES: "1024" });
  receiver = await startWebhookReceiver();
});
after(async () => {
  for (const c of closers) c.close();
  await hub?.stop();
  await receiver?.stop();
  await db?.drop();
});

const path = (topic: string, id?: string) => `/api/topics/${topic}/messages${id ? `/${id}` : ""}`;

test("bad input gets a 400 or 413 with a stable code; unknown publishes 404", async () => {
  for (const [body, code] of [
    [{ uid: "u1", msg: "x" }, "invalid_body"],
    [{}, "invalid_body"],
    [{ msg: "x", ttlSeconds: 0 }, "invalid_body"],
    [{ msg: "x", ttlSeconds: "60" }, "invalid_body"],
    [{ msg: "x", extra: true }, "invalid_body"],
    [{ msg: "x", type: -1 }, "invalid_body"],
  ] as const) {
    const res = await api(hub.url, "POST", path("news"), body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.code, code);
  }
  const badKey = await api(hub.url, "POST", path("news"), { msg: 1 }, { "idempotency-key": "k".repeat(201) });
  assert.deepEqual([badKey.status, badKey.body.error.code], [400, "invalid_body"]);
  assert.equal((await api(hub.url, "POST", path("bad topic"), { msg: 1 })).status, 400);
  assert.equal((await api(hub.url, "POST", path("news:*"), { msg: 1 })).status, 400);
  const large = await api(hub.url, "POST", path("news"), { msg: "x".repeat(2000) });
  assert.equal(large.status, 413);
  assert.equal(large.body.error.code, "message_too_large");
  for (const id of ["0", "abc", "99999"]) assert.equal((await api(hub.url, "GET", path("news", id))).status, 404, id);
  const stored = await api(hub.url, "POST", path("news"), { msg: 1 });
  assert.equal((await api(hub.url, "GET", path("other", stored.body.id))).status, 404, "a publish is found only under its topic");
  assert.equal((await api(hub.url, "DELETE", path("news", "99999"))).status, 404);
});

test("202 names the recipients; the publish reaches done with every one fanned out", async () => {
  await api(hub.url, "PUT", "/api/topics/desk/subscribers", { uids: ["d1", "d2", "d3"] });
  const res = await api(hub.url, "POST", path("desk"), { msg: { headline: "hi" }, type: 7, clientType: 2, ttlSeconds: 600 });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.body.recipients, 3);
  await waitFor(async () => (await api(hub.url, "GET", path("desk", res.body.id))).body.status === "done", "done");
  const view = (await api(hub.url, "GET", path("desk", res.body.id))).body;
  assert.deepEqual({ ...view, createdAt: typeof view.createdAt }, { id: res.body.id, topic: "desk", recipients: 3, fannedOut: 3, status: "done", createdAt: "string", cancelledAt: null });
  const nobody = await api(hub.url, "POST", path("empty:topic"), { msg: 1 });
  assert.deepEqual(nobody.body.recipients, 0);
  assert.equal((await api(hub.url, "GET", path("empty:topic", nobody.body.id))).body.status, "done");
});

test("an Idempotency-Key replay answers the first publish; other content under it is a 409", async () => {
  await api(hub.url, "PUT", "/api/topics/idem/subscribers", { uids: ["i1"] });
  const key = { "idempotency-key": "publish-42" };
  const first = await api(hub.url, "POST", path("idem"), { msg: "once" }, key);
  const again = await api(hub.url, "POST", path("idem"), { msg: "once" }, key);
  assert.equal(again.status, 202);
  assert.deepEqual(again.body, first.body);
  const other = await api(hub.url, "POST", path("idem"), { msg: "twice" }, key);
  assert.equal(other.status, 409);
  assert.equal(other.body.error.code, "idempotency_conflict");
  await waitFor(async () => (await api(hub.url, "GET", path("idem", first.body.id))).body.status === "done", "done");
  const rows = await db.query<{ n: string }>("SELECT count(*) AS n FROM messages WHERE to_uid = 'i1'");
  assert.equal(Number(rows[0]?.n), 1, "the replay stored nothing more");
});

test("DELETE cancels every recipient's message; GET shows cancelledAt; a second DELETE cancels nothing", async () => {
  await api(hub.url, "PUT", "/api/topics/undo/subscribers", { uids: ["c1", "c2", "c3"] });
  const { body } = await api(hub.url, "POST", path("undo"), { msg: "oops" });
  await waitFor(async () => (await api(hub.url, "GET", path("undo", body.id))).body.status === "done", "done");
  assert.equal((await api(hub.url, "DELETE", path("other", body.id))).status, 404, "cancelled only under its topic");
  const first = await api(hub.url, "DELETE", path("undo", body.id));
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, { id: body.id, topic: "undo", status: "cancelled", cancelled: 3 });
  const view = (await api(hub.url, "GET", path("undo", body.id))).body;
  assert.equal(typeof view.cancelledAt, "string");
  assert.ok(Date.parse(view.cancelledAt) >= Date.parse(view.createdAt));
  const again = await api(hub.url, "DELETE", path("undo", body.id));
  assert.deepEqual([again.status, again.body], [200, { id: body.id, topic: "undo", status: "cancelled", cancelled: 0 }]);
  for (const uid of ["c1", "c2", "c3"]) {
    const [message] = (await api(hub.url, "GET", `/api/users/${uid}/messages`)).body.messages;
    assert.deepEqual([message.status, message.topic, message.publishId], ["cancelled", "undo", body.id], uid);
    assert.equal((await api(hub.url, "GET", `/api/messages/${message.id}`)).body.publishId, body.id);
    assert.equal((await api(hub.url, "GET", `/api/users/${uid}/unread`)).body.unread, 0, uid);
  }
});

test("scopes and topic patterns bound the routes", async () => {
  const reader = await api(hub.url, "POST", "/api/keys", { name: "reader", scopes: ["read"] });
  const desk = await api(hub.url, "POST", "/api/keys", { name: "desk", scopes: ["publish", "read", "manage"], topics: ["news:*"] });
  const as = (created: { body: { key: string } }) => ({ authorization: `Bearer ${created.body.key}` });
  const noPublish = await api(hub.url, "POST", path("news:a"), { msg: 1 }, as(reader));
  assert.deepEqual([noPublish.status, noPublish.body.error.code], [403, "forbidden"]);
  const ok = await api(hub.url, "POST", path("news:a"), { msg: 1 }, as(desk));
  assert.equal(ok.status, 202);
  const otherTopic = await api(hub.url, "POST", path("sport:a"), { msg: 1 }, as(desk));
  assert.deepEqual([otherTopic.status, otherTopic.body.error.code], [403, "forbidden"]);
  assert.equal((await api(hub.url, "GET", path("sport:a", ok.body.id), undefined, as(desk))).status, 403);
  assert.equal((await api(hub.url, "GET", path("news:a", ok.body.id), undefined, as(reader))).status, 200);
  assert.equal((await api(hub.url, "DELETE", path("news:a", ok.body.id), undefined, as(reader))).status, 403);
  assert.equal((await api(hub.url, "DELETE", path("news:a", ok.body.id), undefined, as(desk))).status, 200);
});

test("the SDK hands the app a topic message with its topic and publishId", async () => {
  await api(hub.url, "PUT", "/api/topics/sdk:room/subscribers", { uids: ["sdk-t1"] });
  const inbox = connect({ url: hub.url, token: () => signToken("sdk-t1"), socketOptions: { transports: ["websocket"] } });
  closers.push(inbox);
  const got: InboxMessage[] = [];
  inbox.on("message", (m) => got.push(m));
  await waitFor(() => inbox.status === "connected", "connected");
  const { body } = await api(hub.url, "POST", path("sdk:room"), { msg: { text: "hello room" } });
  await waitFor(() => got.length === 1, "the topic message");
  assert.equal(got[0]?.topic, "sdk:room");
  assert.equal(got[0]?.publishId, body.id);
  assert.deepEqual(got[0]?.msg, { text: "hello room" });
});

test("webhook items of a topic message carry its topic; direct messages' do not", async () => {
  const created = await api(hub.url, "POST", "/api/webhooks", { url: receiver.url, events: ["message.delivered", "message.read", "message.cancelled"] });
  assert.equal(created.status, 201);
  receiver.trust(created.body.secret);
  await api(hub.url, "PUT", "/api/topics/hooks:t/subscribers", { uids: ["wh-1"] });
  const inbox = connect({ url: hub.url, token: () => signToken("wh-1"), socketOptions: { transports: ["websocket"] } });
  closers.push(inbox);
  const got: InboxMessage[] = [];
  inbox.on("message", (m) => got.push(m));
  await waitFor(() => inbox.status === "connected", "connected");
  await api(hub.url, "POST", path("hooks:t"), { msg: "topic" });
  const direct = await api(hub.url, "POST", "/api/messages", { uid: "wh-1", msg: "direct" });
  await waitFor(() => got.length === 2, "both messages");
  const topicId = got.find((m) => m.topic)!.id;
  await inbox.markRead([topicId]);
  const cancelled = await api(hub.url, "POST", path("hooks:t"), { msg: "to cancel" });
  await waitFor(async () => (await api(hub.url, "GET", path("hooks:t", cancelled.body.id))).body.status === "done", "fanned out");
  await api(hub.url, "DELETE", path("hooks:t", cancelled.body.id));
  await waitFor(() => receiver.accepted("message.delivered").length >= 2 && receiver.accepted("message.read").length >= 1 && receiver.accepted("message.cancelled").length >= 1, "the events", 20_000, 100);
  const delivered = receiver.accepted("message.delivered");
  assert.equal(delivered.find((i) => i.id === topicId)?.topic, "hooks:t");
  assert.ok(delivered.some((i) => i.id === direct.body.id && !("topic" in i)), "a direct message's item has no topic");
  assert.equal(receiver.accepted("message.read").find((i) => i.id === topicId)?.topic, "hooks:t");
  assert.equal(receiver.accepted("message.cancelled")[0]?.topic, "hooks:t");
});
