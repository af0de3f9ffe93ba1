import { sleep, waitFor } from "../../../loadtest/support/wait-for.ts";
import type { ChaosCluster } from "./chaos-cluster.ts";
import { connectDevice, type ChaosDevice } from "./device.ts";
import { produce, type ProducerResult } from "./producer.ts";
import { seededRandom, type Fault, type Schedule } from "./schedule.ts";

export interface ScheduleRun {
  schedule: Schedule;
  startedAt: number;
  /** What the faults actually did, when (ms since the start). */
  events: { atMs: number; what: string }[];
  devices: ChaosDevice[];
  produced: ProducerResult;
  /** Whether every accepted message had arrived before the quiescence deadline. */
  settled: boolean;
}

export interface RunOptions {
  /** Makes this run's uids and Idempotency-Keys its own. */
  tag: string;
  uids: number;
  perSecond: number;
  /** Longest wait, once everything is up again, for every accepted message to arrive. */
  settleMs: number;
}

const hubOf = (f: Fault) => (f.target === "hub0" ? 0 : 1);

/** Brings back whatever an earlier schedule left down. */
async function ensureUp(cluster: ChaosCluster): Promise<void> {
  if (!cluster.redisUp()) await cluster.restartRedis();
  for (const i of [0, 1]) if (!cluster.hubUp(i)) await cluster.restartHub(i);
}

/**
 * One schedule: devices for fresh uids (half on each hub, half asking for frames), producers for
 * `trafficMs`, the schedule's SIGKILLs and restarts; then, with everything up again, waits until every
 * accepted message has arrived and nothing has come for 1.5 s.
 */
export async function runSchedule(cluster: ChaosCluster, schedule: Schedule, o: RunOptions): Promise<ScheduleRun> {
  await ensureUp(cluster);
  const rand = seededRandom(schedule.seed === "reported" ? 0x5eed : Number(schedule.seed));
  const flip = rand() < 0.5 ? 1 : 0;
  const devices: ChaosDevice[] = [];
  try {
    for (let k = 0; k < o.uids; k++) {
      const options = { uid: `${o.tag}-u${k}`, urls: cluster.urls, firstInstance: (Math.floor(k / 2) + flip) % 2, frames: k % 2 === 0 };
      devices.push(await connectDevice(options));
    }
  } catch (error) {
    for (const d of devices) d.close();
    throw error;
  }

  const startedAt = Date.now();
  const events: ScheduleRun["events"] = [];
  const note = (what: string) => events.push({ atMs: Date.now() - startedAt, what });
  const until = (ms: number) => sleep(Math.max(0, startedAt + ms - Date.now()));
  const runFault = async (f: Fault) => {
    await until(f.killAtMs);
    if (f.target === "redis") {
      if (!cluster.redisUp()) {
        note("redis's kill waits for its restart to finish");
        await waitFor(() => cluster.redisUp(), "redis before killing it again", 30_000, 50);
      }
      await cluster.killRedis();
      note("redis killed");
      await until(f.restartAtMs);
      await cluster.restartRedis();
      return note("redis back (empty)");
    }
    const i = hubOf(f);
    if (!cluster.hubUp(1 - i)) {
      note(`hub${i}'s kill waits for hub${1 - i} to be up`);
      await waitFor(() => cluster.hubUp(1 - i), `hub${1 - i} before killing hub${i}`, 60_000, 50);
    }
    await cluster.killHub(i);
    note(`hub${i} killed`);
    await until(f.restartAtMs);
    note(`hub${i} restarting`);
    await cluster.restartHub(i);
    note(`hub${i} ready`);
  };

  try {
    const producing = produce({ urls: cluster.urls, uids: devices.map((d) => d.uid), perSecond: o.perSecond, durationMs: schedule.trafficMs, rand, keyPrefix: o.tag });
    const faults = await Promise.allSettled(schedule.faults.map(runFault));
    const produced = await producing;
    note("producers done");
    for (const f of faults) if (f.status === "rejected") throw f.reason;
    await waitFor(() => devices.every((d) => d.instance() !== null), "every device to be connected", 30_000, 50);

    const missing = () => devices.some((d) => {
      const got = new Set(d.receipts.map((r) => r.id));
      return produced.accepted.get(d.uid)!.some((id) => !got.has(id));
    });
    const settled = await waitFor(() => !missing(), "every accepted message", o.settleMs, 100).then(() => true, () => false);
    let total = -1;
    await waitFor(() => {
      const now = devices.reduce((n, d) => n + d.receipts.length, 0);
      const quiet = now === total;
      total = now;
      return quiet;
    }, "no more receipts", 20_000, 1500).catch(() => undefined);
    note(settled ? "every accepted message arrived" : "gave up waiting for the missing messages");
    return { schedule, startedAt, events, devices, produced, settled };
  } finally {
    for (const d of devices) d.close();
  }
}
