// One client token must not be able to slow an instance down: a uid's sockets flood `sync` requests of
// big pages and disconnect, again and again, while producers publish. Producers' latency, /healthz and
// the hub's live heap are compared with what they were before, in one hub process on real PostgreSQL and
// Redis, the attacker in a process of its own. Latencies are sampled on a fixed schedule (a POST every
// 20 ms, whether or not the last was answered) and compared as medians of hundreds of samples; the bound
// leaves room for the noise of a shared machine; the failure it guards against is not 2× but 100×.
import assert from "node:assert/strict";
import { setPriority } from "node:os";
import { after, before, test } from "node:test";
import { INSPECT_FLAG, liveHeapOf } from "../../loadtest/live-heap.ts";
import { freePort } from "../../loadtest/support/free-port.ts";
import { repoRoot } from "../../loadtest/support/repo-root.ts";
import { spawnWatched } from "../../loadtest/support/watched-child.ts";
import { startHubProcess } from "../../loadtest/support/hub-process.ts";
import { SERVER_NODE_FLAGS, type ServiceProcess } from "../../loadtest/support/service-process.ts";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, signToken } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_API_KEY, TEST_REDIS_URL } from "../support/env.ts";
import { api } from "../support/http.ts";
import { queuedCount } from "../support/stream-state.ts";
import { uniquePrefix } from "../support/test-hub.ts";
import { processRssMb } from "./support/memory.ts";
import { median, sampleLatency, type LatencySamples } from "./support/producer-latency.ts";

const ATTACKER = "mallory";
const MESSAGES = 3000;
const CYCLES = 4;
const SOCKETS = 50;
// The probe sent 100 per socket. Scaled to CI: every request costs the hub its Socket.IO handling even
// when it is refused at once (~65 µs here), and 20,000 of them in 10 s on a shared 2-core machine
// measure that machine's load more than the hub; 6,000 still took the unfixed hub's producers from a
// p50 of 7 ms to 1.3 s during the attack and 2.7 s after it.
const SYNCS_PER_SOCKET = 30;
const CYCLE_PERIOD_MS = 2500;

let db: TestDatabase;
let hub: ServiceProcess;

before(async () => {
  db = await createTestDatabase("inbox-iso");
  // The inspector lets the test collect the hub's garbage and read what stays alive.
  const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix() };
  hub = await startHubProcess(await freePort(), env, { nodeFlags: [...SERVER_NODE_FLAGS, INSPECT_FLAG] });
});

after(async () => {
  await hub?.stop();
  await db?.drop();
});

/** 3,000 messages of ~1 KB for the attacker's uid, delivered (so connecting sockets get no backlog). */
async function seedAttackerHistory(): Promise<void> {
  const text = "x".repeat(1000);
  for (let i = 0; i < MESSAGES; i += 1000) {
    const messages = Array.from({ length: 1000 }, (_, j) => ({ uid: ATTACKER, msg: { n: i + j, text } }));
    assert.equal((await api(hub.url, "POST", "/api/messages/batch", { messages })).status, 202);
  }
  const reader = await connectClient(hub.url, ATTACKER);
  await waitFor(() => reader.ids().length === MESSAGES, "the attacker's history delivered", 60_000, 100);
  await waitFor(async () => (await queuedCount(db, ATTACKER)) === 0, "acks recorded", 15_000, 100);
  // A device paging through its history once, as a real one would: the baseline includes a hub that has served syncs.
  for (let since: string | null = "0"; since !== null; ) {
    const page = (await reader.socket.timeout(10_000).emitWithAck("sync", { since, limit: 500 })) as { next: string | null };
    since = page.next;
  }
  reader.close();
}

/**
 * The attack, in a process of its own, paced as the probe ran it (4 cycles in about 10 s): each cycle
 * SOCKETS sockets send SYNCS_PER_SOCKET big syncs each and close 200 ms later. Resolves once it has
 * loaded, with when its first cycle starts and how its requests were answered.
 */
async function attack(token: string): Promise<{ startAt: number; replies: Promise<Record<string, number>> }> {
  const args = [CYCLES, CYCLE_PERIOD_MS, SOCKETS, SYNCS_PER_SOCKET, 200].map(String);
  const flood = spawnWatched(process.execPath, ["--import", "tsx", "test/hardening/support/sync-flood.ts", hub.url, token, ...args], { cwd: repoRoot });
  // A real attacker's sockets run on its own machines; here it shares two cores with the hub, so it
  // gets what the hub leaves rather than taking turns with it.
  setPriority(flood.pid, 19);
  const startAt = await waitFor(() => Number(/^start (\d+)$/m.exec(flood.output())?.[1] ?? 0), "the attacker loaded", 60_000, 20);
  const replies = flood.exited.then((code) => {
    assert.equal(code, 0, flood.output());
    return JSON.parse(flood.output().trim().split("\n").pop() as string) as Record<string, number>;
  });
  return { startAt, replies };
}

const describe = (label: string, s: LatencySamples) =>
  `${label}: POST p50 ${median(s.post).toFixed(1)} ms (${s.post.length}), /healthz p50 ${median(s.health).toFixed(1)} ms (${s.health.length})`;

test("a uid flooding sync and disconnecting: producers, /healthz and memory are as before", { timeout: 300_000 }, async () => {
  await seedAttackerHistory();
  const token = await signToken(ATTACKER);
  const pid = hub.child.pid as number;
  const quietFor = (ms: number) => sampleLatency(hub.url, { until: sleep(ms), apiKey: TEST_API_KEY });
  await quietFor(3000); // warm-up
  const baseline = await quietFor(8000);
  const liveMb = async () => (await liveHeapOf([hub.inspectorUrl])) / 2 ** 20;
  const rssBefore = processRssMb(pid);
  const liveBefore = await liveMb();

  const flood = await attack(token);
  await sleep(flood.startAt - Date.now());
  const during = await sampleLatency(hub.url, { until: flood.replies, apiKey: TEST_API_KEY });
  const replies = await flood.replies;
  const afterwards = await quietFor(8000);
  const rssPeak = processRssMb(pid);
  console.log(`attacker's replies before it closed its sockets: ${JSON.stringify(replies)}`);
  console.log([describe("before", baseline), describe("during the attack", during), describe("after it", afterwards)].join("\n"));

  // Twice the quiet median, plus 5 ms: at a median of a few ms, scheduling on a shared 2-core machine
  // alone moves it by that much.
  const bound = 2 * median(baseline.post) + 5;
  assert.ok(median(during.post) <= bound, `producers during the attack: p50 ${median(during.post).toFixed(1)} ms > ${bound.toFixed(1)} ms`);
  assert.ok(median(afterwards.post) <= bound, `producers after the attack: p50 ${median(afterwards.post).toFixed(1)} ms > ${bound.toFixed(1)} ms`);
  for (const [label, s] of [["during", during], ["after", afterwards]] as const) {
    assert.ok(median(s.health) < 50, `/healthz ${label} the attack: p50 ${median(s.health).toFixed(1)} ms`);
  }

  // What stays alive once the attack is over, after full collections. RSS is only reported: it counts
  // garbage V8 has not collected, and a hub serving light traffic runs no full collection for minutes
  // (RSS 306 → 390 MB in one run whose heap in use was 184 MB, 49 MB once collected). What may stay alive:
  // up to INBOX_POOL_SIZE (4) pages still being built (1 MiB of messages each, a few times that as objects
  // and JSON) — where queued syncs running on after their sockets once held 150 MB.
  const limitMb = liveBefore + 32;
  let liveAfter = await liveMb();
  if (liveAfter > limitMb) await waitFor(async () => (liveAfter = await liveMb()) <= limitMb, "live heap back near its baseline", 30_000, 2000).catch(() => undefined);
  console.log(`live heap: before ${liveBefore.toFixed(0)} MB, after ${liveAfter.toFixed(0)} MB; RSS: before ${rssBefore.toFixed(0)} MB, right after ${rssPeak.toFixed(0)} MB`);
  assert.ok(liveAfter <= limitMb, `live heap ${liveBefore.toFixed(0)} → ${liveAfter.toFixed(0)} MB`);
});
