// Housekeeping runs on its own cron schedules: a delivery engine that is saturated (every slot held by a
// client that never acks, while producers keep adding due work) does not hold the chores back.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { api } from "../support/http.ts";
import { readLabelledMetric, readMetric } from "../support/metrics.ts";
import { streamStates } from "../support/stream-state.ts";
import { startTestHub, type TestHub } from "../support/test-hub.ts";

let db: TestDatabase;
let hub: TestHub;
let stuck: TestClient | undefined;
// The stuck client's ack callbacks, and whether it acks at once (only while the test winds down).
const unacked: (() => void)[] = [];
let ackAll = false;

before(async () => {
  db = await createTestDatabase("housekeeping");
  hub = await startTestHub(db.url, { MAX_IN_FLIGHT: "1", ACK_TIMEOUT_MS: "60000", LEASE_MARGIN_MS: "2000" });
});

after(async () => {
  // Ack everything before stopping, so no delivery waits out its 60 s ack timeout after the test.
  ackAll = true;
  for (const ack of unacked.splice(0)) ack();
  await hub?.stop();
  stuck?.close();
  await db?.drop();
});

const runs = (job: string, result = "ok") => readLabelledMetric(hub.url, "pushhub_housekeeping_runs_total", { job, result });

interface Sample {
  at: number;
  recheck: number;
  partitions: number;
  depth: number;
  failed: number;
  inFlight: number;
  due: number;
}

const sample = async (): Promise<Sample> => {
  const due = (await streamStates(db)).filter((s) => s.due && !s.leased).length;
  return {
    at: Date.now(),
    recheck: await runs("recheck"),
    partitions: await runs("partitions"),
    depth: await runs("queue_depth"),
    failed: await readLabelledMetric(hub.url, "pushhub_housekeeping_runs_total", { result: "failed" }),
    inFlight: await readMetric(hub.url, "pushhub_deliveries_in_flight"),
    due,
  };
};

test("with every delivery slot held and due work piling up, the recheck, partition and queue-depth chores keep running on schedule", async (t) => {
  const t0 = Date.now();
  const client = await connectClient(hub.url, "never-acks", { onMessage: (_m, ack) => (ackAll ? ack() : unacked.push(ack)) });
  stuck = client;
  await api(hub.url, "POST", "/api/messages", { uid: "never-acks", msg: "holds the only slot" });
  await waitFor(() => client.received.length === 1, "the first message to take the engine's only slot");

  // Producers keep going: more for the stuck uid, and for uids nobody is connected as, whose deliveries
  // come due as backoffs running out would (due, never claimable now: the engine has no room).
  let producing = true;
  let published = 0;
  const producer = (async () => {
    for (let i = 0; producing; i++) {
      const at = Date.now();
      const res = await api(hub.url, "POST", "/api/messages", { uid: i % 2 === 0 ? "never-acks" : `waiting-${i % 20}`, msg: { i } });
      if (Date.now() - at > 500) t.diagnostic(`publish ${i} took ${Date.now() - at} ms`);
      assert.equal(res.status, 202);
      published++;
      // A second in the past: a sample whose transaction began just before this update committed would
      // otherwise see a due_at later than its own now() (not yet due).
      await db.query("UPDATE uid_heads SET parked = false, due_at = now() - interval '1 second' WHERE uid LIKE 'waiting-%' AND holder IS NULL");
      await sleep(100);
    }
  })();

  const samples: Sample[] = [await sample()];
  const started = Date.now();
  while (Date.now() - started < 12500) {
    await sleep(1000);
    samples.push(await sample());
  }
  producing = false;
  await producer;

  t.diagnostic(`set-up ${started - t0} ms, run ${Date.now() - started} ms`);
  const first = samples[0]!;
  const mid = samples.reduce((best, s) => (Math.abs(s.at - started - 6250) < Math.abs(best.at - started - 6250) ? s : best));
  const last = samples.at(-1)!;
  t.diagnostic(`${published} published; samples: ${JSON.stringify(samples.map(({ at, ...s }) => ({ t: at - started, ...s })))}`);

  // The engine was saturated the whole time: its slots held by unacked messages, due uids it could not take.
  for (const s of samples.slice(1)) {
    assert.ok(s.inFlight >= 1, `the engine holds its slot (t=${s.at - started} ms)`);
    assert.ok(s.due > 0, `due uids wait for a slot (t=${s.at - started} ms)`);
  }
  assert.ok(client.received.length >= 1 && client.received.length === unacked.length, "nothing was acked");

  // recheck and queue_depth run every 5 s: at least once in each half; partitions every 10 s: at least once.
  assert.ok(mid.recheck > first.recheck && last.recheck > mid.recheck, `recheck kept running: ${first.recheck} → ${mid.recheck} → ${last.recheck}`);
  assert.ok(mid.depth > first.depth && last.depth > mid.depth, `queue_depth kept running: ${first.depth} → ${mid.depth} → ${last.depth}`);
  assert.ok(last.partitions > first.partitions, `partitions ran: ${first.partitions} → ${last.partitions}`);
  assert.equal(last.failed, 0, "no housekeeping run failed");
  // The gauge the queue-depth chore computes follows the backlog that piled up behind the stuck engine.
  assert.ok((await readMetric(hub.url, "pushhub_queue_depth")) > 0, "queue depth reports the waiting backlog");
});
