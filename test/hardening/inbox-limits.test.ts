// The limits that keep one client's inbox requests (sync, read, readUpTo) from taking the hub: a
// socket's waiting requests die with it, a uid runs at most INBOX_MAX_PER_UID of them across instances,
// a socket that does not read its replies gets no more, and a sync page holds a bounded number of bytes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Redis } from "ioredis";
import pino from "pino";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { createRedisInboxSlots } from "../../server/realtime/create-redis-inbox-slots.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { api } from "../support/http.ts";
import { readLabelledMetric } from "../support/metrics.ts";
import { queuedCount } from "../support/stream-state.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
const hubs: TestHub[] = [];
const clients: TestClient[] = [];
const start = async (env: Record<string, string> = {}) => {
  const h = await startTestHub(db.url, env);
  hubs.push(h);
  return h;
};
const connect = async (url: string, uid: string) => {
  const c = await connectClient(url, uid);
  clients.push(c);
  return c;
};

before(async () => {
  db = await createTestDatabase("inbox-limits");
});
after(async () => {
  for (const c of clients) c.close();
  for (const h of hubs) await h.stop();
  await db?.drop();
});

/** `count` messages of `bytes` each (as JSON text) for `uid`, delivered and acked before it returns. */
async function history(hub: TestHub, uid: string, count: number, bytes: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1000) {
    const messages = Array.from({ length: Math.min(1000, count - i) }, () => ({ uid, msg: "x".repeat(bytes - 2) }));
    const res = await api(hub.url, "POST", "/api/messages/batch", { messages });
    assert.equal(res.status, 202);
    ids.push(...(res.body.ids as string[]));
  }
  const reader = await connect(hub.url, uid);
  await waitFor(() => reader.ids().length === count, "the history delivered", 60_000, 50);
  await waitFor(async () => (await queuedCount(db, uid)) === 0, "acks recorded", 15_000, 50);
  reader.close();
  return ids;
}

const inboxOutcomes = async (url: string, outcome: string, event = "sync") =>
  readLabelledMetric(url, "pushhub_inbox_requests_total", { event, outcome });

type Reply = { messages?: { id: string; msg: string }[]; next?: string | null; error?: { code: string } };

test("sync with no argument, or only an ack, answers the first page", async () => {
  const hub = await start();
  const ids = await history(hub, "bare-sync", 3, 10);
  const c = await connect(hub.url, "bare-sync");
  const page = (await c.socket.timeout(5000).emitWithAck("sync")) as Reply;
  assert.deepEqual(page.messages?.map((m) => m.id), ids);
  assert.equal(page.next, null);
  const nulled = (await c.socket.timeout(5000).emitWithAck("sync", null)) as Reply;
  assert.deepEqual(nulled.messages?.map((m) => m.id), ids);
  const bad = (await c.socket.timeout(5000).emitWithAck("sync", "since 0")) as Reply;
  assert.equal(bad.error?.code, "invalid_payload");
});

test("a socket's waiting requests are dropped when it disconnects, not run", { timeout: 60_000 }, async () => {
  const hub = await start({ INBOX_MAX_PER_UID: "1000" });
  await history(hub, "leaver", 2000, 500);
  const c = await connect(hub.url, "leaver");
  for (let i = 0; i < 100; i++) c.socket.emit("sync", { since: "0", limit: 500 }, () => undefined);
  // A malformed request is answered at once, after the hub has queued everything sent before it.
  assert.equal(((await c.socket.timeout(5000).emitWithAck("read", {})) as Reply).error?.code, "invalid_payload");
  c.socket.close();
  await waitFor(async () => (await inboxOutcomes(hub.url, "ok")) + (await inboxOutcomes(hub.url, "dropped")) === 100, "every request run or dropped");
  const ran = await inboxOutcomes(hub.url, "ok");
  console.log(`100 syncs, then a disconnect: ${ran} ran, ${100 - ran} dropped`);
  assert.ok(ran <= 10, `${ran} of 100 syncs ran after their socket had gone`);
});

test("a socket that does not read its replies is given no more until it does", { timeout: 90_000 }, async () => {
  const hub = await start({ INBOX_MAX_PER_UID: "1000" });
  await history(hub, "sloth", 500, 2000); // a page of 500 is 1 MB
  const c = await connect(hub.url, "sloth");
  const transport = c.socket.io.engine.transport as unknown as { ws?: { _socket?: { pause(): void; resume(): void } } };
  assert.ok(transport.ws?._socket, "websocket transport with a raw socket");
  transport.ws._socket.pause();
  const pages = Array.from({ length: 60 }, () => c.socket.timeout(60_000).emitWithAck("sync", { since: "0", limit: 500 }) as Promise<Reply>);
  await sleep(3000);
  const whilePaused = await inboxOutcomes(hub.url, "ok");
  console.log(`60 pages of 1 MB asked by a socket that reads nothing: ${whilePaused} read from the store meanwhile`);
  assert.ok(whilePaused <= 20, `${whilePaused} pages were read for a socket that reads none`);
  transport.ws._socket.resume();
  const replies = await Promise.all(pages);
  assert.ok(replies.every((r) => r.messages?.length === 500), "every page arrives once it reads");
});

test("a sync page holds at most SYNC_PAGE_MAX_BYTES of messages, and always one", async () => {
  const hub = await start({ SYNC_PAGE_MAX_BYTES: "16384" });
  const uid = "paged";
  const small = await history(hub, uid, 10, 5000); // three fit in 16 KiB
  const [big] = await history(hub, uid, 1, 40_000); // alone past the budget
  const tail = await history(hub, uid, 2, 100);
  const c = await connect(hub.url, uid);
  const pages: string[][] = [];
  let since: string | null = "0";
  while (since !== null) {
    const page = (await c.socket.timeout(5000).emitWithAck("sync", { since, limit: 500 })) as Reply;
    assert.ok(page.messages, JSON.stringify(page).slice(0, 200));
    pages.push(page.messages.map((m) => m.id));
    since = page.next ?? null;
  }
  assert.deepEqual(pages.flat(), [...small, big, ...tail], "every message once, in order");
  assert.deepEqual(pages.map((p) => p.length), [3, 3, 3, 1, 1, 2]);
});

test("INBOX_MAX_PER_UID holds across instances with Redis: inbox_busy beyond it", { timeout: 90_000 }, async () => {
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), INBOX_MAX_PER_UID: "1" };
  const [a, b] = [await start(env), await start(env)];
  await history(a, "busy", 2000, 500);
  const burst = (c: TestClient) =>
    Promise.all(Array.from({ length: 20 }, () => c.socket.timeout(30_000).emitWithAck("sync", { since: "0", limit: 500 }) as Promise<Reply>));
  const codes = (replies: Reply[]) => replies.map((r) => r.error?.code ?? "page");

  const alone = codes(await burst(await connect(a.url, "busy")));
  assert.deepEqual([...new Set(alone)], ["page"], "one socket runs one request at a time: never over the cap");

  const [onA, onB] = [await connect(a.url, "busy"), await connect(b.url, "busy")];
  const both = codes((await Promise.all([burst(onA), burst(onB)])).flat());
  const busy = both.filter((c) => c === "inbox_busy").length;
  console.log(`two instances, one socket each, 20 syncs each, cap 1: ${both.length - busy} pages, ${busy} inbox_busy`);
  assert.ok(busy > 0, "a cap counted per instance would refuse nothing here");
  assert.ok(both.every((c) => c === "page" || c === "inbox_busy"), both.join(","));
  assert.equal((await onA.socket.timeout(5000).emitWithAck("sync", { limit: 1 }) as Reply).messages?.length, 1, "slots come back");
});

test("without Redis the cap is per instance", { timeout: 60_000 }, async () => {
  const hub = await start({ INBOX_MAX_PER_UID: "1" });
  await history(hub, "busy-local", 2000, 500);
  const sockets = [await connect(hub.url, "busy-local"), await connect(hub.url, "busy-local")];
  const replies = (
    await Promise.all(sockets.map((c) => Promise.all(Array.from({ length: 20 }, () => c.socket.timeout(30_000).emitWithAck("sync", { since: "0", limit: 500 }) as Promise<Reply>))))
  ).flat();
  assert.ok(replies.some((r) => r.error?.code === "inbox_busy"));
  assert.ok(replies.some((r) => r.messages?.length === 500));
});

test("with Redis away the inbox limiter fails open to this instance's own count, and warns once", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (s: string) => void lines.push(s) });
  const dead = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => null });
  dead.on("error", () => undefined);
  const slots = createRedisInboxSlots({ redis: dead, prefix: "x", max: 1, logger });
  for (let i = 0; i < 5; i++) {
    assert.equal(await slots.acquire("u", `r${i}`), true, "allowed while Redis is away");
    assert.equal(await slots.acquire("u", `extra${i}`), false, "this instance's own requests still count");
    slots.release("u", `r${i}`);
  }
  assert.equal(lines.length, 1, "one warning, not one per request");
  assert.match(lines[0]!, /allowing inbox requests/);
  dead.disconnect();
});
