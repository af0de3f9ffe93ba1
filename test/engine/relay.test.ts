// One uid, sockets on two instances (two devices behind different backends): its holder sends to its own
// socket and relays to the other instance, which sends to its socket; each device sees every message in
// acceptance order. When the holder's last socket leaves, the uid moves to the instance that still has one.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { publish } from "../support/http.ts";
import { readMetric } from "../support/metrics.ts";
import { streamStates } from "../support/stream-state.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
let a: TestHub;
let b: TestHub;
const clients: TestClient[] = [];

before(async () => {
  db = await createTestDatabase("relay");
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), DELIVERY_LINGER_MS: "300" };
  a = await startTestHub(db.url, env);
  b = await startTestHub(db.url, env);
});

after(async () => {
  for (const c of clients) c.close();
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

const ascending = (ids: string[]) => ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1]!));
const holderOf = async (uid: string) => (await streamStates(db, [uid]))[0]?.holder ?? null;

/**
 * A device joining on the other instance is sent to once the holder has heard of it; until then, what
 * the holder's own device acks passes it by (it syncs that). Probes tell when it is being sent to.
 */
const probes = new Set<string>();
async function relayedTo(device: TestClient, via: TestHub): Promise<void> {
  await waitFor(async () => {
    const probe = await publish(via.url, device.uid, { probe: true });
    probes.add(probe);
    await sleep(100);
    return device.ids().includes(probe);
  }, `${device.uid}'s device on the other instance to be sent to`);
}
/** The ids a device got after its probes (and the probes left out). */
const receivedSince = (device: TestClient, first: string) => device.ids().filter((id) => !probes.has(id) && BigInt(id) >= BigInt(first));

test("two devices of one uid on two instances both get every message, in order, wherever it was accepted", async (t) => {
  const onA = await connectClient(a.url, "two-homes", { frames: true });
  clients.push(onA);
  await waitFor(async () => (await holderOf("two-homes")) !== null, "A to hold the uid");
  const held = await holderOf("two-homes");
  const onB = await connectClient(b.url, "two-homes");
  clients.push(onB);
  await relayedTo(onB, a);
  const ids: string[] = [];
  for (let i = 0; i < 60; i++) ids.push(await publish(i % 2 === 0 ? a.url : b.url, "two-homes", { i }));
  await waitFor(() => receivedSince(onA, ids[0]!).length === 60 && receivedSince(onB, ids[0]!).length === 60, "both devices to get all 60", 10_000);
  t.diagnostic(`device on A: ${onA.received.length} receipts; on B: ${onB.received.length}`);
  assert.deepEqual(receivedSince(onA, ids[0]!), ids, "the holder's own socket (frames): every message, in order");
  assert.deepEqual(receivedSince(onB, ids[0]!), ids, "the relayed socket (plain): every message, in order");
  assert.ok(ascending(onA.ids()) && ascending(onB.ids()), "each device's first receipts ascend, probes included");
  assert.equal(await holderOf("two-homes"), held, "the uid stayed with the instance that first held it");
  assert.ok((await readMetric(b.url, "pushhub_messages_acked_total")) === 0, "B holds nothing: acks from its socket went to A");
});

test("the holder's socket leaves: the uid moves to the instance with the other socket, nothing lost, order kept", async () => {
  const onA = await connectClient(a.url, "moving", { frames: true });
  clients.push(onA);
  await waitFor(async () => (await holderOf("moving")) !== null, "A to hold the uid");
  const heldByA = await holderOf("moving");
  const onB = await connectClient(b.url, "moving");
  clients.push(onB);
  await relayedTo(onB, a);
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await publish(a.url, "moving", { i }));
  await waitFor(() => receivedSince(onB, ids[0]!).length === 20, "B's device to get the first 20");
  onA.close();
  // Publishing goes on while the uid moves (the grace, then the transfer).
  for (let i = 20; i < 60; i++) {
    ids.push(await publish(i % 2 === 0 ? a.url : b.url, "moving", { i }));
    await sleep(10);
  }
  await waitFor(() => receivedSince(onB, ids[0]!).length === 60, "every message at B's device", 10_000);
  assert.deepEqual(receivedSince(onB, ids[0]!), ids, "every message, in acceptance order");
  assert.ok(ascending(onB.ids()), "first receipts ascend");
  await waitFor(async () => {
    const h = await holderOf("moving");
    return h !== null && h !== heldByA;
  }, "B to hold the uid");
});

test("a device that joins on the other instance mid-stream gets what is not acked yet first, then the rest, ascending", async () => {
  const slow = await connectClient(a.url, "late-join", { acking: false });
  clients.push(slow);
  await waitFor(async () => (await holderOf("late-join")) !== null, "A to hold the uid");
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(await publish(a.url, "late-join", { i }));
  await waitFor(() => slow.ids().length === 10, "the unacking device to get 10");
  const late = await connectClient(b.url, "late-join", { frames: true });
  clients.push(late);
  for (let i = 10; i < 20; i++) ids.push(await publish(b.url, "late-join", { i }));
  await waitFor(() => late.ids().length === 20, "the late device to get all 20", 10_000);
  assert.deepEqual(late.ids(), ids, "from the acked position on, ascending");
  assert.ok(ascending(late.received.map((m) => m.id).filter((id, i, all) => all.indexOf(id) === i)));
});
