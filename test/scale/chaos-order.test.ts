// Per-uid order under crashes: two hubs on a Redis of their own, devices that reconnect to the other
// hub when theirs goes away, producers that retry with an Idempotency-Key, and seeded schedules of
// SIGKILLs of either hub and of Redis (which comes back empty). After each schedule every uid's first
// receipts must be in acceptance order and every accepted message must have arrived; duplicates are
// allowed (at least once). CHAOS_SEED=<n|reported> runs that one schedule; CHAOS_SCHEDULES=<k> runs k
// (the probe's reported sequence first, then generated ones from random seeds, each printed).
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { after, before, test } from "node:test";
import { exitIfStillAlive } from "../support/exit-watchdog.ts";
import { startChaosCluster, type ChaosCluster } from "./chaos/chaos-cluster.ts";
import { explainFailure, judge, summarize } from "./chaos/report.ts";
import { runSchedule } from "./chaos/run-schedule.ts";
import { saveRun } from "./chaos/save-run.ts";
import { describeSchedule, scheduleFor } from "./chaos/schedule.ts";

const count = Number(process.env.CHAOS_SCHEDULES ?? 3);
if (!Number.isInteger(count) || count < 1) throw new Error(`CHAOS_SCHEDULES must be a positive integer, not ${process.env.CHAOS_SCHEDULES}`);
const seeds = process.env.CHAOS_SEED
  ? [process.env.CHAOS_SEED]
  : ["reported", ...Array.from({ length: count - 1 }, () => String(randomInt(1, 2 ** 31)))].slice(0, count);

let cluster: ChaosCluster;
let failed = false;

before(async () => {
  cluster = await startChaosCluster();
});

after(async () => {
  exitIfStillAlive("chaos-order", 60_000, { stopped: () => cluster?.stopped() ?? true, describe: () => cluster?.describe() ?? "no cluster" });
  await cluster?.stop(failed);
});

for (const [k, seed] of seeds.entries()) {
  const schedule = scheduleFor(seed);
  test(`chaos schedule ${seed}: first receipts per uid in acceptance order, nothing accepted missing`, { timeout: 180_000 }, async (t) => {
    for (const line of describeSchedule(schedule).split("\n")) t.diagnostic(line);
    const run = await runSchedule(cluster, schedule, { tag: `chaos${k}-${seed}`, uids: 8, perSecond: 55, settleMs: 45_000 });
    const verdict = judge(run);
    t.diagnostic(summarize(run, verdict));
    if (verdict.ok) return;
    failed = true;
    const saved = saveRun(run, cluster.logDir);
    assert.fail(`per-uid order or completeness broken\n${explainFailure(run, verdict, cluster.logDir)}\nevery receipt: ${saved}`);
  });
}
