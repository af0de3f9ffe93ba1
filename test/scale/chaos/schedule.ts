/** Fault schedules for the chaos test: which component is SIGKILLed when, and when it comes back. */

export type FaultTarget = "hub0" | "hub1" | "redis";

export interface Fault {
  target: FaultTarget;
  /** ms after the schedule starts. */
  killAtMs: number;
  /** ms after the schedule starts; a hub is ready some seconds after this (it starts from scratch). */
  restartAtMs: number;
}

export interface Schedule {
  /** What reproduces it: a number for a generated schedule, "reported" for the probe's. */
  seed: string;
  faults: Fault[];
  /** Producers run this long from the start. */
  trafficMs: number;
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sequence from the security probe's report: hub 0, then Redis (back empty), then hub 1. */
export const REPORTED_SCHEDULE: Schedule = {
  seed: "reported",
  faults: [
    { target: "hub0", killAtMs: 8000, restartAtMs: 14000 },
    { target: "redis", killAtMs: 22000, restartAtMs: 24000 },
    { target: "hub1", killAtMs: 34000, restartAtMs: 40000 },
  ],
  trafficMs: 44000,
};

/** Margin after a hub's restart before the other hub may be killed: the restarted one needs time to start. */
export const HUB_START_ALLOWANCE_MS = 5000;
const FAULTS_UNTIL_MS = 18000;

const between = (rand: () => number, lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));

/**
 * A schedule drawn from `seed`: faults from 3–5 s on, one every 2–6 s until 18 s, each a SIGKILL of a
 * hub (back after 3–6 s) or of Redis (back, empty, after 1.5–3 s). At most one hub is down at a time
 * (with an allowance for the restarted one to start), so producers and devices always have one to go to,
 * and Redis outages do not overlap. Traffic goes on 4 s past the last restart.
 */
export function generateSchedule(seed: number): Schedule {
  const rand = seededRandom(seed);
  const faults: Fault[] = [];
  let hubsBusyUntil = 0;
  let redisBusyUntil = 0;
  for (let t = between(rand, 3000, 5000); t < FAULTS_UNTIL_MS; t += between(rand, 2000, 6000)) {
    const hubFree = t >= hubsBusyUntil;
    const redisFree = t >= redisBusyUntil;
    if (!hubFree && !redisFree) continue;
    const kind = hubFree && (!redisFree || rand() < 0.65) ? "hub" : "redis";
    if (kind === "hub") {
      const restartAtMs = t + between(rand, 3000, 6000);
      faults.push({ target: rand() < 0.5 ? "hub0" : "hub1", killAtMs: t, restartAtMs });
      hubsBusyUntil = restartAtMs + HUB_START_ALLOWANCE_MS;
    } else {
      const restartAtMs = t + between(rand, 1500, 3000);
      faults.push({ target: "redis", killAtMs: t, restartAtMs });
      redisBusyUntil = restartAtMs + 1000;
    }
  }
  const lastRestart = Math.max(...faults.map((f) => f.restartAtMs));
  return { seed: String(seed), faults, trafficMs: lastRestart + 4000 };
}

/** The schedule a seed names: "reported" or a generated one. */
export function scheduleFor(seed: string): Schedule {
  if (seed === "reported") return REPORTED_SCHEDULE;
  if (!/^\d{1,10}$/.test(seed)) throw new Error(`CHAOS_SEED must be "reported" or a non-negative integer, not ${JSON.stringify(seed)}`);
  return generateSchedule(Number(seed));
}

/** One line per fault, e.g. "hub0 killed at 8.0 s, restarted at 14.0 s". */
export function describeSchedule(s: Schedule): string {
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const faults = s.faults.map((f) => `${f.target} killed at ${sec(f.killAtMs)}, restarted at ${sec(f.restartAtMs)}`);
  return [`seed ${s.seed} (traffic for ${sec(s.trafficMs)})`, ...faults.map((f) => `  ${f}`)].join("\n");
}
