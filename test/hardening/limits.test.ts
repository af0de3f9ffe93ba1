// Per-key rate limits (in memory and shared through Redis, failing open) and the input/connection
// limits, each with a clear error.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Redis } from "ioredis";
import pino from "pino";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { createRedisRateLimiter } from "../../server/rate-limit/create-redis-rate-limiter.ts";
import { io } from "socket.io-client";
import { connectClient, signToken, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_API_KEY, TEST_REDIS_URL } from "../support/env.ts";
import { api } from "../support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
const hubs: TestHub[] = [];
const clients: TestClient[] = [];
const start = async (env: Record<string, string>) => {
  const h = await startTestHub(db.url, env);
  hubs.push(h);
  return h;
};

before(async () => {
  db = await createTestDatabase("limits");
});

after(async () => {
  for (const c of clients) c.close();
  for (const h of hubs) await h.stop();
  await db?.drop();
});

const post = (base: string, key = TEST_API_KEY, path = "/api/messages") => api(base, "POST", path, { uid: "rl", msg: 1 }, { authorization: `Bearer ${key}` });

test("in memory: a key past its burst gets 429 with Retry-After; other keys are not affected", async () => {
  const hub = await start({ RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "5", HUB_API_KEYS: `${TEST_API_KEY},second-key` });
  const first = await Promise.all(Array.from({ length: 8 }, () => post(hub.url)));
  const ok = first.filter((r) => r.status === 202).length;
  // The burst of 5, plus at most one token refilled while a cold hub answers the first requests.
  assert.ok(ok >= 5 && ok <= 6 && first.every((r) => r.status === 202 || r.status === 429), `statuses ${first.map((r) => r.status)}`);
  const limited = first.find((r) => r.status === 429)!;
  assert.equal(limited.body.error.code, "rate_limited");
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await post(hub.url, "second-key")).status, 202, "another key has its own bucket");
  let seed = await post(hub.url, TEST_API_KEY, "/message");
  for (let i = 0; i < 5 && seed.status !== 429; i++) seed = await post(hub.url, TEST_API_KEY, "/message");
  assert.equal(seed.status, 429);
  assert.equal(seed.body.code, 429, "POST /message answers in its own shape");
  assert.ok(seed.headers.get("retry-after"));
  assert.equal((await api(hub.url, "GET", "/healthz")).status, 200, "unkeyed routes are not limited");
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await post(hub.url)).status, 202, "tokens come back at RATE_LIMIT_PER_SECOND");
});

test("with Redis: two instances share one bucket per key", async () => {
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "6" };
  const [a, b] = [await start(env), await start(env)];
  const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? a.url : b.url)));
  const accepted = replies.filter((r) => r.status === 202).length;
  assert.ok(accepted >= 6 && accepted <= 7, `accepted ${accepted} of 12 across both instances`);
  assert.ok(replies.filter((r) => r.status === 429).every((r) => r.headers.get("retry-after")));
});

test("with Redis down the limiter fails open and warns", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "warn" }, { write: (s: string) => void lines.push(s) });
  const dead = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => null });
  dead.on("error", () => undefined);
  const limiter = createRedisRateLimiter({ redis: dead, prefix: "x", limits: { perSecond: 1, burst: 1 }, logger });
  for (let i = 0; i < 5; i++) assert.deepEqual(await limiter.take("k"), { allowed: true, retryAfterMs: 0 });
  assert.equal(lines.length, 1, "one warning, not one per request");
  assert.match(lines[0]!, /allowing requests/);
  dead.disconnect();
});

test("input limits answer with clear errors", async () => {
  const hub = await start({ MESSAGE_MAX_BYTES: "1024" });
  const uid = await api(hub.url, "POST", "/api/messages", { uid: "u".repeat(129), msg: 1 });
  assert.equal(uid.status, 400);
  assert.match(uid.body.error.message, /uid must be 1–128 characters/);
  const big = await api(hub.url, "POST", "/api/messages", { uid: "u", msg: "x".repeat(2000) });
  assert.equal(big.status, 413);
  assert.equal(big.body.error.code, "message_too_large");
  const batch = await api(hub.url, "POST", "/api/messages/batch", { messages: Array.from({ length: 1001 }, () => ({ uid: "u", msg: 1 })) });
  assert.equal(batch.status, 400);
  assert.match(batch.body.error.message, /1–1000/);
  const page = await api(hub.url, "GET", "/api/users/u/messages?limit=201");
  assert.equal(page.status, 400);
  assert.match(page.body.error.message, /limit must be 1–200/);
});

test("sockets per uid: beyond MAX_SOCKETS_PER_UID → too_many_connections, across instances with Redis", async () => {
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), MAX_SOCKETS_PER_UID: "3" };
  const [a, b] = [await start(env), await start(env)];
  for (const url of [a.url, b.url, a.url]) clients.push(await connectClient(url, "capped"));
  await assert.rejects(connectClient(b.url, "capped"), (e: Error) => e.message === "too_many_connections");
  await assert.rejects(connectClient(a.url, "capped"), (e: Error) => e.message === "too_many_connections");
  clients.push(await connectClient(a.url, "someone-else"));
  clients.shift()!.close();
  await waitFor(async () => {
    try {
      clients.push(await connectClient(b.url, "capped"));
      return true;
    } catch {
      return false;
    }
  }, "a free slot after a disconnect", 5000, 100);
});

test("a socket whose connection closes during the handshake gives its slot back", async () => {
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), MAX_SOCKETS_PER_UID: "2" };
  const hub = await start(env);
  const token = await signToken("abandoning");
  // Each sends its CONNECT and closes the connection at once: the hub is then still verifying the token or
  // taking the slot (through Redis), and Socket.IO drops such a socket without a "disconnect".
  for (let i = 0; i < 20; i++) {
    const socket = io(hub.url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => socket.io.once("open", () => setImmediate(() => (socket.io.engine.close(), resolve()))));
  }
  await waitFor(async () => {
    const both = await Promise.allSettled([connectClient(hub.url, "abandoning"), connectClient(hub.url, "abandoning")]);
    const connected = both.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    if (connected.length === 2) return (clients.push(...connected), true);
    for (const c of connected) c.close(); // their slots are given back for the next try
    return false;
  }, "both slots free after 20 abandoned handshakes", 5000, 200);
});

test("without Redis the cap is per instance", async () => {
  const hub = await start({ MAX_SOCKETS_PER_UID: "2" });
  clients.push(await connectClient(hub.url, "local-cap"), await connectClient(hub.url, "local-cap"));
  await assert.rejects(connectClient(hub.url, "local-cap"), (e: Error) => e.message === "too_many_connections");
});
