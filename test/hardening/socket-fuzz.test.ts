// Socket.IO fuzzing against a hub on real PostgreSQL and Redis: ≥10,000 malformed handshakes, raw
// packets, events and ack misuse from an attacker → the hub lives, the victim uid is untouched and
// memory returns to its level once the attackers leave.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import { io, type Socket } from "socket.io-client";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, signToken, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { messageStatus, publish } from "../support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";
import { settledHeapMb } from "./support/memory.ts";

let db: TestDatabase;
let hub: TestHub;
let victim: TestClient;
let victimIds: string[] = [];
let attempts = 0;
let baselineHeap = 0;

before(async () => {
  db = await createTestDatabase("sockfuzz");
  hub = await startTestHub(db.url, { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), MAX_SOCKETS_PER_UID: "1000" });
  victim = await connectClient(hub.url, "victim");
  victimIds = [];
  for (let i = 0; i < 5; i++) victimIds.push(await publish(hub.url, "victim", { n: i }));
  await waitFor(() => victim.ids().length === 5, "the victim's messages");
  await waitFor(async () => (await Promise.all(victimIds.map((id) => messageStatus(hub.url, id)))).every((s) => s === "delivered"), "delivered");
  baselineHeap = await settledHeapMb();
});

after(async () => {
  victim?.close();
  await hub?.stop();
  await db?.drop();
});

const rawSocket = (auth: unknown, query?: Record<string, string>): Socket =>
  io(hub.url, { auth: auth as Record<string, unknown>, query, transports: ["websocket"], reconnection: false, forceNew: true, timeout: 5000 });

/** Resolves with the connect_error message, "connected", or "closed" when the server dropped the connection. */
const handshake = (s: Socket) =>
  new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve("no answer"), 5000);
    const done = (r: string) => {
      clearTimeout(timer);
      resolve(r);
    };
    s.once("connect", () => done("connected"));
    s.once("connect_error", (e) => done(e.message));
    // "forced close" is the client tearing down after a connect_error (it fires just before the event).
    s.io.on("close", (reason) => reason !== "forced close" && done("closed"));
  });

const tokenish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 60 })).map((p) => p.join(".")),
  fc.constantFrom("", ".", "..", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ2aWN0aW0ifQ.", "x".repeat(5000)),
  fc.anything({ maxDepth: 3 }),
);
const authPayload = fc.oneof(
  fc.record({ token: tokenish }, { requiredKeys: [] }),
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(null, "token", 42, [], { token: null }, { token: { sub: "victim" } }, { __proto__: { token: "x" } }),
);

test("2,000 malformed handshakes → every one is refused as unauthorized", { timeout: 120_000 }, async () => {
  const samples = fc.sample(authPayload, { numRuns: 2000, seed: 11 });
  for (let i = 0; i < samples.length; i += 50) {
    const sockets = samples.slice(i, i + 50).map((auth) => rawSocket(auth));
    const results = await Promise.all(sockets.map(handshake));
    for (const s of sockets) s.close();
    // An `auth` that is not an object never reaches our middleware: Socket.IO's parser drops the connection.
    results.forEach((r, j) => {
      const auth = samples[i + j];
      const expected = auth !== null && typeof auth === "object" && !Array.isArray(auth) ? ["unauthorized"] : ["unauthorized", "closed"];
      assert.ok(expected.includes(r), `auth ${inspect(auth).slice(0, 300)} → ${r}`);
    });
    attempts += results.length;
  }
});

const victimIdsArb = () => fc.constantFrom(...victimIds);
const packet = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 100 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 100 }) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom("2", "3", "21", "3999", "2/x,", "0/admin,", "1", "4", "6", "51-", "2-", "29999999999999999999"), fc.json()).map(([p, j]) => p + j) },
    { weight: 3, arbitrary: fc.tuple(fc.nat(1_000_000), fc.anything({ maxDepth: 2 })).map(([id, v]) => `3${id}${JSON.stringify([v]) ?? "[]"}`) },
    { weight: 4, arbitrary: fc.tuple(fc.option(fc.nat(1000)), fc.anything({ maxDepth: 3 })).map(([ack, v]) => `2${ack ?? ""}${JSON.stringify(["read", v]) ?? ""}`) },
    { weight: 4, arbitrary: fc.tuple(fc.nat(1000), fc.array(fc.oneof(victimIdsArb(), fc.constant("1"), fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String)), { minLength: 1, maxLength: 50 })).map(([ack, ids]) => `2${ack}["read",{"ids":${JSON.stringify(ids)}}]`) },
    { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 30 }), fc.anything({ maxDepth: 2 })).map(([ev, v]) => `2${JSON.stringify([ev, v])}`) },
    { weight: 1, arbitrary: fc.constantFrom('2["message",{"id":"1"}]', '2["__proto__",1]', '2["constructor"]', '2["disconnect"]', '2["connect"]', '2["error",1]', '52-["read",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', '2[{"a":1}]', "2[]", "2{}", `2["read","${"x".repeat(70000)}"]`) },
  );

test("10,000 raw packets, events and acks from an attacker: nothing reaches the victim", { timeout: 150_000 }, async () => {
  const packets = fc.sample(packet(), { numRuns: 10_000, seed: 12 });
  const token = await signToken("mallory");
  let attacker: Socket | undefined;
  let reconnects = 0;
  const seen: unknown[] = [];
  const fresh = async () => {
    attacker?.close();
    attacker = rawSocket({ token });
    attacker.on("message", (m: unknown) => seen.push(m));
    assert.equal(await handshake(attacker), "connected");
    reconnects++;
  };
  await fresh();
  const started = Date.now();
  for (let i = 0; i < packets.length; i++) {
    if (!attacker!.connected) await fresh();
    // engine.io "message" packets carry a Socket.IO packet as text: exactly what a hostile client can send.
    attacker!.io.engine.write(packets[i]!);
    attempts++;
    if (i % 200 === 199) await sleep(5); // let the server keep up; it also proves it answers meanwhile
  }
  // A read flood of the victim's ids with acks: every reply counts 0.
  await fresh();
  const replies = await Promise.all(
    Array.from({ length: 100 }, () => attacker!.timeout(10_000).emitWithAck("read", { ids: victimIds }).catch((e: Error) => ({ error: e.message }))),
  );
  attempts += replies.length;
  assert.ok(replies.every((r) => JSON.stringify(r) === '{"updated":0}'), `foreign reads: ${JSON.stringify(replies.find((r) => JSON.stringify(r) !== '{"updated":0}'))}`);
  // Past 100 queued reads per socket the rest are refused at once instead of queueing in the database pool.
  const flood = await Promise.all(Array.from({ length: 2000 }, () => attacker!.timeout(20_000).emitWithAck("read", { ids: victimIds }).catch((e: Error) => ({ error: e.message }))));
  attempts += flood.length;
  const kinds = new Map<string, number>();
  for (const r of flood) {
    const k = JSON.stringify(r).includes("updated") ? JSON.stringify(r) : String((r as { error: { code?: string } }).error?.code ?? (r as { error: unknown }).error);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  console.log(`read flood replies: ${JSON.stringify([...kinds])}`);
  // The server defends itself either way: reads past the per-socket queue are refused, and a socket whose
  // replies pile up unread past SOCKET_MAX_BUFFERED_PACKETS is cut off.
  const refused = (kinds.get("rate_limited") ?? 0) + (kinds.get("socket has been disconnected") ?? 0);
  assert.ok(refused > 0, JSON.stringify([...kinds]));
  const allowed = new Set(['{"updated":0}', "rate_limited", "socket has been disconnected"]);
  assert.ok([...kinds.keys()].every((k) => allowed.has(k)), JSON.stringify([...kinds]));
  assert.ok(flood.every((r) => !JSON.stringify(r).includes("updated") || JSON.stringify(r) === '{"updated":0}'));
  attacker!.close();
  console.log(`socket fuzz: ${Date.now() - started} ms, ${attempts} handshakes/packets/events, ${reconnects} attacker connections`);
  assert.deepEqual(seen, [], "the attacker never received anything");
  for (const id of victimIds) assert.equal(await messageStatus(hub.url, id), "delivered", "victim's message untouched");
});

test("after the attack the victim still gets messages, and memory is back to its level", { timeout: 60_000 }, async () => {
  assert.ok(victim.socket.connected, "the victim was never disconnected");
  const id = await publish(hub.url, "victim", "still here");
  await waitFor(() => victim.ids().includes(id), "a new message for the victim");
  assert.deepEqual(await victim.read([id]), { updated: 1 });
  await waitFor(() => hub.hub.io.of("/").sockets.size === 1 && hub.hub.io.engine.clientsCount === 1, "only the victim left");
  const heap = await settledHeapMb();
  console.log(`heap: baseline ${baselineHeap.toFixed(1)} MB → after ${heap.toFixed(1)} MB`);
  assert.ok(heap - baselineHeap < 25, `heap grew by ${(heap - baselineHeap).toFixed(1)} MB`);
});
