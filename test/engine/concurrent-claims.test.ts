// Claims lock head rows with FOR UPDATE SKIP LOCKED and no cluster-wide lock: two instances claim
// different uids at the same moment, neither waits for the other.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import pg from "pg";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import type { MessagePayload } from "../../server/protocol/message-payload.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { api } from "../support/http.ts";
import { readMetric } from "../support/metrics.ts";
import { streamStates } from "../support/stream-state.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";

const dbs: TestDatabase[] = [];
const hubs: TestHub[] = [];
const clients: TestClient[] = [];
const pgClients: pg.Client[] = [];

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(pgClients.map((c) => c.end().catch(() => undefined)));
  await Promise.all(hubs.map((h) => h.stop()));
  await Promise.all(dbs.map((d) => d.drop()));
});

const pgClient = async (url: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  pgClients.push(c);
  return c;
};

const INSTANCE = "00000000-0000-4000-8000-000000000001";
const CLAIM = `SELECT uid FROM push_hub_claim(50, 50, 16, 1048576, '${INSTANCE}')`;

test("two instances claim different uids at the same moment without waiting for each other (SQL)", async (t) => {
  const db = await createTestDatabase("claims_sql");
  dbs.push(db);
  // 200 due uids: a hub takes one message for each of 200 offline uids (they park), then stops; their
  // deliveries then come due as a backoff that ran out would (or an instance that died).
  const seeder = await startTestHub(db.url, { DRAIN_CRON: "0 0 0 1 1 *", DRAIN_NUDGE: "false" });
  const uids = Array.from({ length: 200 }, (_, i) => `due-${String(i).padStart(3, "0")}`);
  const res = await api(seeder.url, "POST", "/api/messages/batch", { messages: uids.map((uid, i) => ({ uid, msg: { i } })) });
  assert.equal(res.status, 202);
  await seeder.stop();
  await db.query("UPDATE uid_heads SET parked = false, due_at = now() WHERE uid LIKE 'due-%'");
  await db.query(`SELECT push_hub_heartbeat('${INSTANCE}', 60000)`);
  const due = (await streamStates(db)).filter((s) => s.due && !s.leased && !s.parked && s.lastSeq === 1 && s.ackedSeq === 0);
  assert.equal(due.length, 200, "200 due, unheld uids");

  const a = await pgClient(db.url);
  const b = await pgClient(db.url);
  const observer = await pgClient(db.url);
  const pidOf = async (c: pg.Client) => ((await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
  const [pidA, pidB] = [await pidOf(a), await pidOf(b)];

  await a.query("BEGIN");
  const claimedA = new Set((await a.query<{ uid: string }>(CLAIM)).rows.map((r) => r.uid));
  // A's transaction stays open (its head rows locked) while B claims.
  await b.query("BEGIN");
  await b.query("SET LOCAL lock_timeout = '500ms'");
  const lockWaits: unknown[] = [];
  let bDone = false;
  const watching = (async () => {
    while (!bDone) {
      const { rows } = await observer.query(
        "SELECT pid, wait_event_type, wait_event, state, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE pid = $1",
        [pidB],
      );
      for (const r of rows) if (r.wait_event_type === "Lock" || (r.blockers as number[]).length > 0) lockWaits.push(r);
      await sleep(2);
    }
  })();
  const startedB = performance.now();
  let claimedB: Set<string>;
  try {
    claimedB = new Set((await b.query<{ uid: string }>(CLAIM)).rows.map((r) => r.uid));
  } finally {
    bDone = true;
    await watching;
  }
  const elapsedB = performance.now() - startedB;

  // Both transactions are still open: what do they hold, who waits?
  const advisory = await observer.query(
    "SELECT pid, objid FROM pg_locks WHERE locktype = 'advisory' AND pid = ANY($1::int[])",
    [[pidA, pidB]],
  );
  const waiting = await observer.query(
    "SELECT pid, wait_event, query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  await a.query("ROLLBACK");
  await b.query("ROLLBACK");

  t.diagnostic(`A claimed ${claimedA.size}, B claimed ${claimedB.size} in ${elapsedB.toFixed(1)} ms while A's transaction was open`);
  assert.equal(claimedA.size, 50, "A claimed 50 uids");
  assert.equal(claimedB.size, 50, "B claimed 50 uids too, while A held its 50");
  assert.deepEqual([...claimedA].filter((u) => claimedB.has(u)), [], "A and B claimed disjoint sets of uids");
  assert.ok(elapsedB < 500, `B's claim returned promptly: ${elapsedB.toFixed(1)} ms`);
  assert.deepEqual(advisory.rows, [], "no advisory lock held by either claim");
  assert.deepEqual(waiting.rows, [], "nobody waits on a lock");
  assert.deepEqual(lockWaits, [], "B never waited on a lock while it claimed");
});

test("two hubs drain many backlogs at once: every message delivered once, in order, and both instances claimed", { timeout: 120_000 }, async (t) => {
  const db = await createTestDatabase("claims_e2e");
  dbs.push(db);
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), ACK_TIMEOUT_MS: "10000" };
  const [a, b] = await Promise.all([startTestHub(db.url, env), startTestHub(db.url, env)]);
  hubs.push(a!, b!);
  const pair = [a!, b!];

  // 60 offline uids, 50 messages each, published through both instances.
  const uids = Array.from({ length: 60 }, (_, i) => `backlog-${i}`);
  const published = new Map<string, string[]>(uids.map((u) => [u, []]));
  for (let round = 0; round < 5; round++) {
    const messages = uids.flatMap((uid) => Array.from({ length: 10 }, (_, k) => ({ uid, msg: { n: round * 10 + k } })));
    const res = await api(pair[round % 2]!.url, "POST", "/api/messages/batch", { messages });
    assert.equal(res.status, 202);
    (res.body.ids as string[]).forEach((id, i) => published.get(messages[i]!.uid)!.push(id));
  }
  const total = uids.length * 50;
  // Nobody of them is connected: every backlog is parked, none held.
  await waitFor(async () => {
    const states = await streamStates(db, uids);
    return states.filter((s) => s.parked && !s.due && !s.dueLater && !s.leased && s.lastSeq === 50).length === uids.length;
  }, "every backlog parked", 30_000, 100);
  const before = await Promise.all(pair.map((h) => readMetric(h.url, "pushhub_messages_delivered_total")));

  // All connect at once, half on each instance.
  const connected = await Promise.all(uids.map((uid, i) => connectClient(pair[i % 2]!.url, uid)));
  clients.push(...connected);
  await waitFor(() => connected.every((c) => c.ids().length === 50), "every backlog received", 60_000, 100);
  await waitFor(async () => (await streamStates(db, uids)).filter((s) => s.ackedSeq === 50).length === uids.length, "every message acked in the database", 20_000, 100);
  const afterMetric = await Promise.all(pair.map((h) => readMetric(h.url, "pushhub_messages_delivered_total")));
  const emitted = afterMetric.map((v, i) => v - before[i]!);

  const sameAttempt = (received: MessagePayload[]) => received.length - new Set(received.map((m) => `${m.id}/${m.attempt}`)).size;
  const receipts = connected.reduce((n, c) => n + c.received.length, 0);
  t.diagnostic(`${total} messages; emitted by A ${emitted[0]}, by B ${emitted[1]}; ${receipts} receipts`);
  for (const c of connected) {
    assert.deepEqual(c.ids(), published.get(c.uid), `${c.uid}: every message, in acceptance order`);
    assert.equal(sameAttempt(c.received), 0, `${c.uid}: no attempt delivered twice`);
  }
  assert.ok(emitted[0]! > 0 && emitted[1]! > 0, `both instances claimed and emitted: ${emitted.join(" / ")}`);
  assert.equal(emitted[0]! + emitted[1]!, total, "each message emitted once after the connects, by one instance");
  assert.equal(receipts, total, "each message received once");
});

test("a connect alone starts a parked backlog: the drain is nudged at once, no cron tick needed", async (t) => {
  const db = await createTestDatabase("claims_nudge");
  dbs.push(db);
  // The drainer's schedule never fires within the test: only nudges (a commit, a connect) deliver.
  const hub = await startTestHub(db.url, { DRAIN_CRON: "0 0 0 1 1 *" });
  hubs.push(hub);
  const res = await api(hub.url, "POST", "/api/messages/batch", { messages: Array.from({ length: 5 }, (_, n) => ({ uid: "sleeper", msg: { n } })) });
  assert.equal(res.status, 202);
  await waitFor(async () => (await streamStates(db, ["sleeper"]))[0]?.parked, "the offline backlog to park", 10_000);

  const connectedAt = Date.now();
  const client = await connectClient(hub.url, "sleeper");
  clients.push(client);
  const arrived = await waitFor(() => (client.ids().length === 5 ? { ms: Date.now() - connectedAt } : null), "the backlog after the connect", 5000).catch(() => null);
  const [state] = await streamStates(db, ["sleeper"]);
  t.diagnostic(`backlog ${arrived ? `arrived ${arrived.ms} ms after the connect` : "never arrived"}; stream now ${JSON.stringify(state)}`);
  assert.ok(arrived, `the connect woke the stream (due: ${state?.due}) but no drain ran: nothing arrived within 5 s`);
  assert.deepEqual(client.ids(), res.body.ids);
});
