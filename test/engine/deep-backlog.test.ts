// A deep offline backlog (20,000 messages) drains to a slow-acking client in order, pipelined: several
// messages are on their way at once, but never more than DELIVERY_WINDOW.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import type { MessagePayload } from "../../server/protocol/message-payload.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { api } from "../support/http.ts";
import { readMetric } from "../support/metrics.ts";
import { queuedCount, streamStates } from "../support/stream-state.ts";
import { startTestHub, type TestHub } from "../support/test-hub.ts";

const WINDOW = 32;
const TOTAL = 20_000;
const BATCH = 1000;

let db: TestDatabase;
let hub: TestHub;
const clients: TestClient[] = [];
/** What the drain test saw, for the attempt-number check after it. */
let drained: { ids: string[]; received: MessagePayload[]; emittedBefore: number; streamBefore: unknown } | undefined;

before(async () => {
  db = await createTestDatabase("deep");
  hub = await startTestHub(db.url, { DELIVERY_WINDOW: String(WINDOW), ACK_TIMEOUT_MS: "10000" });
});

after(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
  await db?.drop();
});

/** A client that acks each message `delayMs` after it arrived, and tracks how many it holds unacked. */
async function slowAcker(uid: string, delayMs: number) {
  const state = { outstanding: 0, maxOutstanding: 0, timers: new Set<NodeJS.Timeout>() };
  const client = await connectClient(hub.url, uid, {
    onMessage: (_m: MessagePayload, ack: () => void) => {
      state.outstanding++;
      state.maxOutstanding = Math.max(state.maxOutstanding, state.outstanding);
      const timer = setTimeout(() => {
        state.timers.delete(timer);
        state.outstanding--;
        ack();
      }, delayMs);
      state.timers.add(timer);
    },
  });
  clients.push(client);
  return { client, state };
}

const sameAttemptDuplicates = (received: MessagePayload[]) => {
  const seen = new Set<string>();
  let dup = 0;
  for (const m of received) {
    const key = `${m.id}/${m.attempt}`;
    if (seen.has(key)) dup++;
    seen.add(key);
  }
  return dup;
};

test("20,000 queued for an offline uid: all arrive in acceptance order, pipelined within DELIVERY_WINDOW; a second socket joining mid-drain keeps order", { timeout: 240_000 }, async (t) => {
  const ids: string[] = [];
  const fillStarted = Date.now();
  for (let b = 0; b < TOTAL / BATCH; b++) {
    const messages = Array.from({ length: BATCH }, (_, i) => ({ uid: "deep", msg: { n: b * BATCH + i } }));
    const res = await api(hub.url, "POST", "/api/messages/batch", { messages });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    ids.push(...(res.body.ids as string[]));
  }
  const fillMs = Date.now() - fillStarted;
  assert.equal(new Set(ids).size, TOTAL);
  assert.deepEqual(ids, [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)), "ids ascend in acceptance order");
  await waitFor(async () => (await queuedCount(db, "deep")) === TOTAL, "the whole backlog queued");
  // Offline: the stream parks once an emit found the room empty (nothing is leased any more).
  await waitFor(async () => (await streamStates(db, ["deep"]))[0]?.parked, "the stream to park", 20_000);
  const emittedBefore = await readMetric(hub.url, "pushhub_messages_delivered_total");
  const [streamBefore] = await streamStates(db, ["deep"]);

  const drainStarted = Date.now();
  const first = await slowAcker("deep", 20);
  await waitFor(() => first.client.ids().length >= 5000, "a quarter of the backlog", 60_000, 50);
  // Acks later than the first client: the first one's acks are the ones that open the window.
  const second = await slowAcker("deep", 40);
  const joinedAt = first.client.ids().length;
  await waitFor(() => first.client.ids().length === TOTAL, "the whole backlog on the first socket", 180_000, 100);
  const drainMs = Date.now() - drainStarted;
  await waitFor(async () => (await queuedCount(db, "deep")) === 0, "every message acked in the database", 30_000, 100);

  drained = { ids, received: first.client.received, emittedBefore, streamBefore };
  const firstIds = first.client.ids();
  const secondIds = second.client.ids();
  const redelivered = first.client.received.filter((m) => m.attempt > 1).length;
  t.diagnostic(
    `filled ${TOTAL} in ${fillMs} ms; drained in ${drainMs} ms (${Math.round(TOTAL / (drainMs / 1000))}/s); ` +
      `first socket: max ${first.state.maxOutstanding} unacked, ${first.client.received.length} receipts, ${redelivered} redeliveries; ` +
      `second socket joined at ${joinedAt}, got ${secondIds.length} (max ${second.state.maxOutstanding} unacked)`,
  );

  assert.equal(firstIds.length, TOTAL, "none missing");
  assert.deepEqual(firstIds, ids, "first receipts in acceptance (id) order");
  assert.equal(sameAttemptDuplicates(first.client.received), 0, "no attempt arrived twice");
  assert.ok(first.state.maxOutstanding >= 8, `pipelined: at most ${first.state.maxOutstanding} unacked at once`);
  assert.ok(first.state.maxOutstanding <= WINDOW, `never more than DELIVERY_WINDOW=${WINDOW} unacked: saw ${first.state.maxOutstanding}`);

  // The second socket gets everything sent after it joined: a contiguous run up to the last message, in order.
  assert.ok(secondIds.length > 0, "the second socket received messages");
  const from = ids.indexOf(secondIds[0]!);
  assert.ok(from >= 0, "only the uid's own messages");
  assert.deepEqual(secondIds, ids.slice(from), "the second socket's receipts: in order, none skipped, up to the last");
  assert.equal(sameAttemptDuplicates(second.client.received), 0);
});

test("attempt numbers of the drained backlog: only what was emitted before the uid connected comes as a redelivery", (t) => {
  assert.ok(drained, "needs the drain above");
  // Before the uid connected, `emittedBefore` messages went out (to the empty room, which parked the
  // stream; at most a window): every other message's first emit is its first attempt.
  const firstReceipts = new Map<string, MessagePayload>();
  for (const m of drained.received) if (!firstReceipts.has(m.id)) firstReceipts.set(m.id, m);
  const retried = drained.ids.filter((id) => firstReceipts.get(id)!.attempt > 1);
  const positions = retried.map((id) => drained!.ids.indexOf(id) + 1);
  t.diagnostic(
    `${drained.emittedBefore} emitted while offline (stream then: ${JSON.stringify(drained.streamBefore)}); ` +
      `${retried.length} first receipts with attempt > 1, at stream positions ${positions[0]}…${positions.at(-1)}`,
  );
  assert.ok(drained.emittedBefore <= WINDOW, `at most one window emitted while offline: ${drained.emittedBefore}`);
  assert.ok(
    retried.length <= drained.emittedBefore,
    `${retried.length} messages arrived marked as redeliveries (attempt > 1), though only ${drained.emittedBefore} had been ` +
      `emitted before (positions ${positions[0]}…${positions.at(-1)})`,
  );
});
