import { CronJob } from "cron";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { claimStreams } from "../store/claim-streams.ts";
import type { HolderGrant } from "../store/holder-grant.ts";
import type { DeliveryEngineDeps } from "./delivery-engine-deps.ts";

/** `batch` is DRAIN_BATCH: messages one claim may take. */
interface DrainDeps extends Pick<DeliveryEngineDeps, "db" | "logger" | "metrics" | "instance" | "cron" | "batch" | "window" | "windowBytes"> {
  /** Messages this instance may still take on (0: none now; the drain resumes when told). */
  room: () => number;
  /** False while this instance must not take anything (not alive, stopping). */
  canClaim: () => boolean;
  /** A claimed uid with messages to send. */
  onGrant: (grant: HolderGrant) => void;
}

/**
 * Claims due uids — backoffs that came due, hand-backs, uids of instances that died — on the cron schedule
 * (DRAIN_CRON) and whenever nudged, until none is left or this instance holds as much as it may.
 * Claims never wait for another instance's (SKIP LOCKED).
 */
export function createDrain(deps: DrainDeps) {
  const warn = createThrottledWarning(deps.logger);
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const loop = async () => {
    while (!stopped && deps.canClaim()) {
      again = false;
      const room = deps.room();
      if (room <= 0) return;
      const end = deps.metrics.drainDuration.startTimer();
      const grants = await claimStreams(deps.db, {
        heads: deps.batch,
        messages: Math.min(deps.batch, room),
        window: deps.window,
        windowBytes: deps.windowBytes,
        instance: deps.instance,
      });
      end();
      for (const g of grants) {
        if (g.messages.length === 0) deps.metrics.expired.inc(Number(g.lastSeq - g.ackedSeq));
        else if (!stopped) deps.onGrant(g);
      }
      if (grants.length === 0 && !again) return;
    }
  };

  const drain = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = loop()
      .catch((err: unknown) => warn({ err }, "claim failed; retrying on the next tick"))
      .finally(() => {
        running = null;
        if (again && !stopped) void drain();
      });
    return running;
  };

  const job = CronJob.from({ cronTime: deps.cron, onTick: () => drain(), start: false, waitForCompletion: true });
  return {
    start: () => job.start(),
    /** Runs a drain soon (coalesced with one in progress). */
    nudge: () => void drain(),
    /** Runs a drain after `ms` (a backoff coming due). */
    nudgeIn: (ms: number) => setTimeout(() => void drain(), ms + 5).unref(),
    async stop(): Promise<void> {
      stopped = true;
      await job.stop();
      await running;
    },
  };
}
