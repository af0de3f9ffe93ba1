/** The per-message arithmetic of the cost figures, and the names of the process groups. Pure. */

/** What each process is counted as (cpu-window.ts readings, cost tables). */
export const GROUP = {
  /** the scenario's own server instances (hubs, baselines, or --target/--server-pid) */
  servers: "servers",
  nginx: "nginx",
  /** backends of the run's database */
  postgres: "postgres",
  /** PostgreSQL's background processes, shared by every database of the server */
  postgresBackground: "postgres-background",
  redis: "redis",
  cpuHog: "cpu-hog",
} as const;

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** CPU seconds per message, in ms (4 decimals); null when nothing was delivered. */
export function msPerMessage(cpuSec: number, messages: number): number | null {
  return messages > 0 ? round((cpuSec * 1000) / messages, 4) : null;
}

/** A count per message (3 decimals); null when nothing was delivered. */
export function perMessage(count: number, messages: number): number | null {
  return messages > 0 ? round(count / messages, 3) : null;
}

/** CPU seconds over a window as % of one core. */
export function cpuPercent(cpuSec: number, windowSec: number): number {
  return windowSec > 0 ? round((cpuSec / windowSec) * 100, 1) : 0;
}

/** ours ÷ reference (3 decimals); null when either is missing or the reference is 0. */
export function ratioOf(ours: number | null | undefined, reference: number | null | undefined): number | null {
  if (ours === null || ours === undefined || reference === null || reference === undefined) return null;
  return reference > 0 && Number.isFinite(ours) ? round(ours / reference, 3) : null;
}
