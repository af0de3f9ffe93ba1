// Retention by partition: with RETENTION=3s and PARTITION_INTERVAL=1s the message log rolls to a new
// partition every second and drops whole partitions sealed more than 3 s ago. Old messages vanish, recent
// ones stay readable, the number of partitions stays bounded, and delivering never updates a message row.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { api } from "../support/http.ts";
import { readLabelledMetric } from "../support/metrics.ts";
import { startTestHub, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;
const clients: TestClient[] = [];

const RETENTION_MS = 3000;
const INTERVAL_MS = 1000;

before(async () => {
  db = await createTestDatabase("retention");
  hub = await startTestHub(db.url, { RETENTION: "3s", PARTITION_INTERVAL: "1s" });
});

after(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
  await db?.drop();
});

interface Sent {
  id: string;
  sentAt: number;
  repliedAt: number;
}

interface PartitionSample {
  at: number;
  epochs: number[];
  leaves: number;
  tables: number;
}

const samplePartitions = async (): Promise<PartitionSample> => {
  const epochs = (await db.query<{ epoch: number }>("SELECT epoch FROM message_partitions ORDER BY epoch")).map((r) => r.epoch);
  const [tree] = await db.query<{ leaves: number }>("SELECT count(*)::int AS leaves FROM pg_partition_tree('messages') WHERE isleaf");
  // Every messages_p<N> table, attached or not: a partition detached but never dropped would show here.
  const [tables] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_class WHERE relkind = 'r' AND relname ~ '^messages_p[0-9]+$'",
  );
  return { at: Date.now(), epochs, leaves: tree!.leaves, tables: tables!.n };
};

test("RETENTION=3s, PARTITION_INTERVAL=1s: old partitions are dropped whole, recent messages stay readable, no message row is updated", async (t) => {
  const client = await connectClient(hub.url, "keeper");
  clients.push(client);
  const sent: Sent[] = [];
  const samples: PartitionSample[] = [await samplePartitions()];
  const started = Date.now();
  let nextHousekeeping = started + 1000;
  // ~10 s: a message every 250 ms (each delivered and acked at once), the housekeeping chores every second.
  for (let i = 0; Date.now() - started < 9500; i++) {
    const sentAt = Date.now();
    const res = await api(hub.url, "POST", "/api/messages", { uid: "keeper", msg: { i } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    sent.push({ id: res.body.id as string, sentAt, repliedAt: Date.now() });
    if (Date.now() >= nextHousekeeping) {
      await hub.hub.housekeeping.runOnce();
      samples.push(await samplePartitions());
      nextHousekeeping += 1000;
    }
    await sleep(Math.max(0, sentAt + 250 - Date.now()));
  }
  // Every message was delivered while it existed; the acked position is written at most every
  // DELIVERY_RECORD_MS (1 s) while delivery goes on, and when the idle lease is released.
  await waitFor(() => client.ids().length === sent.length, "every message delivered", 10000);
  assert.deepEqual(client.ids(), sent.map((s) => s.id));
  const newest = sent.at(-1)!.id;
  await waitFor(async () => (await api(hub.url, "GET", `/api/messages/${newest}`)).body.status === "delivered", "the newest shown delivered", 3000);
  await hub.hub.housekeeping.runOnce();
  samples.push(await samplePartitions());
  const checkedAt = Date.now();

  const allEpochs = new Set(samples.flatMap((s) => s.epochs));
  const maxAlive = Math.max(...samples.map((s) => s.epochs.length));
  t.diagnostic(
    `partitions: ${allEpochs.size} epochs over ${samples.length} samples, at most ${maxAlive} at once; ` +
      `first ${JSON.stringify(samples[0]!.epochs)}, last ${JSON.stringify(samples.at(-1)!.epochs)}`,
  );
  assert.ok(allEpochs.size >= 6, `the log rolled about once a second: ${allEpochs.size} epochs in ~10 s`);
  // Alive: those sealed within RETENTION (~3–4 with the 1 s cadence of the chores), the open one and the next.
  assert.ok(maxAlive <= 8, `partitions stay bounded: at most ${maxAlive} at once`);
  assert.ok(Math.min(...samples.at(-1)!.epochs) > Math.min(...samples[0]!.epochs), "the oldest partitions were dropped");
  for (const s of samples) {
    assert.equal(s.leaves, s.epochs.length, "every partition in message_partitions is attached, and only those");
    assert.equal(s.tables, s.epochs.length, "dropped partitions leave no detached table behind");
  }
  assert.equal(await readLabelledMetric(hub.url, "pushhub_housekeeping_runs_total", { job: "partitions", result: "failed" }), 0);


  // A message lives in the partition open when it was accepted; that one is sealed at the first roll at
  // least PARTITION_INTERVAL after it opened (≤ 1 s + the 1 s cadence later) and dropped at the first run
  // RETENTION after its seal (≤ 1 s cadence later): gone RETENTION + INTERVAL + 2.5 s after it was sent.
  const goneAfterMs = RETENTION_MS + INTERVAL_MS + 2500;
  const old = sent.filter((s) => checkedAt - s.sentAt > goneAfterMs);
  // Its partition was sealed after it was stored, so it outlives RETENTION from its reply (0.5 s slack).
  const recent = sent.filter((s) => checkedAt - s.repliedAt < RETENTION_MS - 500);
  assert.ok(old.length >= 8, `enough old messages to check: ${old.length}`);
  assert.ok(recent.length >= 4, `enough recent messages to check: ${recent.length}`);
  for (const s of old) {
    const res = await api(hub.url, "GET", `/api/messages/${s.id}`);
    assert.equal(res.status, 404, `message ${s.id}, sent ${checkedAt - s.sentAt} ms before the check, is still there`);
  }
  const history = await api(hub.url, "GET", "/api/users/keeper/messages?limit=200");
  assert.equal(history.status, 200);
  const listed = new Set((history.body.messages as { id: string }[]).map((m) => m.id));
  for (const s of recent) {
    const res = await api(hub.url, "GET", `/api/messages/${s.id}`);
    assert.equal(res.status, 200, `message ${s.id}, accepted ${checkedAt - s.repliedAt} ms before the check, is gone`);
    assert.equal(res.body.status, "delivered");
    assert.ok(listed.has(s.id), `message ${s.id} is in keeper's history`);
  }
  for (const s of old) assert.ok(!listed.has(s.id), `dropped message ${s.id} is not in the history`);
  t.diagnostic(`${sent.length} messages: ${old.length} old ones gone, ${recent.length} recent ones readable, ${listed.size} in the history`);

  // Statistics: the hub's backends report their counters when they exit, so stop it first.
  await hub.stop();
  const stats = await waitFor(async () => {
    const [row] = await db.query<{ ins: number; upd: number; hot: number }>(
      `SELECT coalesce(sum(n_tup_ins), 0)::int AS ins, coalesce(sum(n_tup_upd), 0)::int AS upd,
              coalesce(sum(n_tup_hot_upd), 0)::int AS hot
       FROM pg_stat_user_tables WHERE relname ~ '^messages_p[0-9]+$'`,
    );
    // Inserts into the partitions that still exist are counted: the statistics are in.
    return row!.ins >= listed.size ? row : null;
  }, "the hub's table statistics to be reported", 15000, 200);
  t.diagnostic(`surviving partitions: ${stats.ins} rows inserted, ${stats.upd} updated`);
  assert.equal(stats.upd, 0, "the delivery path never updates a message row");
});
