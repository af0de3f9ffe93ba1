import type { ServiceProcess } from "./support/service-process.ts";

/** Server processes a load run started and must stop again. */
export interface LaunchedTargets {
  kind: "hub" | "baseline";
  services: ServiceProcess[];
  /** hubs only: the run's own database (dropped by stop) */
  databaseUrl?: string;
  stop(): Promise<void>;
}

export interface LaunchCommon {
  logDir: string;
  runId: string;
  instances: number;
  redisUrl: string;
  /** use Redis even with one instance */
  forceRedis: boolean;
  apiKey: string;
  jwtSecret: string;
  readyTimeoutMs: number;
  /** Start every server with its V8 inspector open (--live-heap). */
  inspect?: boolean;
}

/** Stops everything started so far; every step runs even when an earlier one fails. */
export async function stopAll(steps: Array<() => Promise<void>>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, "cleanup failed");
}
