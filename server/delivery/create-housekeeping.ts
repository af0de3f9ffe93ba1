import { CronJob } from "cron";
import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import { dropExpiredPartitions } from "../store/drop-expired-partitions.ts";
import { sweepExpired } from "../store/inbox/sweep-expired.ts";
import type { Db } from "../store/prisma.ts";
import { pruneExpiredKeys } from "../store/prune-expired-keys.ts";
import { prunePublishes } from "../store/topics/prune-publishes.ts";
import { queueDepth } from "../store/queue-depth.ts";
import { rollPartitions } from "../store/roll-partitions.ts";
import { autovacuumOn, vacuumHotTables } from "../store/vacuum-hot-tables.ts";
import { reapDeadHolders } from "../store/instance-liveness.ts";

interface HousekeepingDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  /** The engine's safety net (uids held here with messages it was not told of; uids connected here nobody holds). */
  recheck: () => Promise<number>;
  /** Some uid became due (the reaper freed uids of a dead instance): claim now. */
  nudge: () => void;
  retentionMs: number;
  partitionIntervalMs: number;
  /** How long a group-commit token is kept for a retry of its commit. */
  tokenTtlMs: number;
  /** Unread counts that expiry or retention changed (uid → count after). */
  onUnreadChanged: (counts: Map<string, number>) => void;
}

/**
 * The engine's chores, each on a cron schedule of its own — never behind the drain, which may never
 * idle under load:
 * - recheck (every 5 s): the engine's safety net for notices that never arrived (a hand-over to the holder,
 *   a transfer) — held uids with unread messages are read, connected uids nobody holds are taken;
 * - reap (every 2 s): uids held by instances that stopped renewing their life become due;
 * - partitions (every 10 s): keep the next partition ready, roll to it every PARTITION_INTERVAL, and
 *   drop whole partitions past RETENTION (with idempotency keys and group-commit tokens past theirs);
 * - expiry (every 5 s): messages whose TTL passed leave their uids' unread counts;
 * - queue depth (every 5 s): the gauge /metrics reports, computed here so a scrape does not count the queue;
 * - vacuum (every 30 s, only where the server runs with autovacuum off): the head and position tables,
 *   which every accept and every position record update, the group-commit tokens (pruned after 2 minutes)
 *   and, every 10 minutes, the idempotency keys (pruned after RETENTION).
 */
const HOT_TABLES = ["uid_heads", "uid_streams", "accept_batches"];

export function createHousekeeping(deps: HousekeepingDeps) {
  const { db, logger, metrics } = deps;
  // A chore's runs never overlap (a scheduled run and runOnce would otherwise both detach a partition).
  const runs = (job: string, task: () => Promise<void>) => {
    let last: Promise<void> = Promise.resolve();
    // While the database is away every run fails: said once per 10 s per chore, not once per run.
    const warn = createThrottledWarning(logger);
    const run = async () => {
      const end = metrics.housekeepingDuration.startTimer({ job });
      try {
        await task();
        metrics.housekeepingRuns.inc({ job, result: "ok" });
      } catch (err) {
        metrics.housekeepingRuns.inc({ job, result: "failed" });
        warn({ err, job }, "housekeeping failed; its next run tries again");
      } finally {
        end();
      }
    };
    return () => (last = last.then(run));
  };

  const recheck = runs("recheck", async () => {
    const n = await deps.recheck();
    if (n > 0) logger.info({ uids: n }, "safety net: took up uids whose hand-over never arrived");
  });

  const reap = runs("reap", async () => {
    if ((await reapDeadHolders(db)) > 0) deps.nudge();
  });

  const partitions = runs("partitions", async () => {
    const epoch = await rollPartitions(db, deps.partitionIntervalMs);
    if (epoch === null) return; // another instance is on it
    const dropped = await dropExpiredPartitions(db, deps.retentionMs);
    if (dropped.epochs.length > 0) logger.info({ dropped: dropped.epochs }, "dropped message partitions past retention");
    if (dropped.unread.size > 0) deps.onUnreadChanged(dropped.unread);
    await pruneExpiredKeys(db, deps.retentionMs, deps.tokenTtlMs);
    await prunePublishes(db, deps.retentionMs);
  });

  const expiry = runs("expiry", async () => {
    const changed = await sweepExpired(db);
    if (changed.size > 0) deps.onUnreadChanged(changed);
  });

  const depth = runs("queue_depth", async () => {
    metrics.queueDepth.set(await queueDepth(db));
  });

  let autovacuum: boolean | undefined;
  let vacuums = 0;
  const vacuum = runs("vacuum", async () => {
    autovacuum ??= await autovacuumOn(db);
    if (autovacuum) return;
    // Group-commit tokens turn over every 2 minutes: their table is vacuumed every run too.
    await vacuumHotTables(db, vacuums++ % 20 === 0 ? [...HOT_TABLES, "idempotency_keys"] : HOT_TABLES);
  });

  const jobs = [
    CronJob.from({ cronTime: "*/5 * * * * *", onTick: recheck, start: false, waitForCompletion: true }),
    CronJob.from({ cronTime: "*/2 * * * * *", onTick: reap, start: false, waitForCompletion: true }),
    CronJob.from({ cronTime: "*/10 * * * * *", onTick: partitions, start: false, waitForCompletion: true }),
    CronJob.from({ cronTime: "*/5 * * * * *", onTick: depth, start: false, waitForCompletion: true }),
    CronJob.from({ cronTime: "*/5 * * * * *", onTick: expiry, start: false, waitForCompletion: true }),
    CronJob.from({ cronTime: "*/30 * * * * *", onTick: vacuum, start: false, waitForCompletion: true }),
  ];

  return {
    /** Starts the schedules; the partition chore also runs once at once so the log is ready before traffic. */
    async start(): Promise<void> {
      await partitions();
      await depth();
      for (const j of jobs) j.start();
    },
    /** Runs every chore once now (tests, and an operator's nudge). */
    async runOnce(): Promise<void> {
      await partitions();
      await reap();
      await recheck();
      await expiry();
      await depth();
    },
    async stop(): Promise<void> {
      await Promise.all(jobs.map((j) => j.stop()));
    },
  };
}

export type Housekeeping = ReturnType<typeof createHousekeeping>;
