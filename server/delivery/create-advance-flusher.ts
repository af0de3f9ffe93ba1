import type { Logger } from "pino";
import { createBatcher } from "../lib/create-batcher.ts";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { advanceStreams, type Advance, type AdvanceResult, type WindowLimits } from "../store/advance-streams.ts";
import type { Db } from "../store/prisma.ts";

interface AdvanceFlusherDeps {
  db: Db;
  logger: Logger;
  limits: WindowLimits;
  /** Reports from every session within this many ms share one statement. */
  flushMs: number;
  /** Statements in flight at once. */
  concurrency: number;
}

/**
 * Collects the sessions' progress reports and writes them together: one push_hub_advance statement per
 * flush for every uid that reported. A uid appears at most once per statement (a second report of the
 * same uid — from an older lease still winding down — waits for the next flush).
 */
export function createAdvanceFlusher(deps: AdvanceFlusherDeps) {
  const warn = createThrottledWarning(deps.logger);

  const write = async (entries: Advance[]): Promise<(AdvanceResult | undefined)[]> => {
    const results = await advanceStreams(deps.db, entries, deps.limits).catch((err: unknown) => {
      warn({ err, entries: entries.length }, "could not record delivery progress");
      throw err;
    });
    return entries.map((e) => results.get(e.uid));
  };

  const batcher = createBatcher<Advance, AdvanceResult | undefined>({
    maxItems: 2000,
    maxDelayMs: deps.flushMs,
    maxConcurrent: deps.concurrency,
    flush: async (entries) => {
      const seen = new Set<string>();
      const now: Advance[] = [];
      const later: number[] = [];
      entries.forEach((e, i) => {
        if (seen.has(e.uid)) later.push(i);
        else {
          seen.add(e.uid);
          now.push(e);
        }
      });
      const first = await write(now);
      const out: (AdvanceResult | undefined)[] = [];
      let k = 0;
      entries.forEach((_, i) => {
        if (!later.includes(i)) out[i] = first[k++];
      });
      for (const i of later) out[i] = await batcher.add(entries[i] as Advance);
      return out;
    },
  });

  return {
    report: (entry: Advance) => batcher.add(entry),
    drain: () => batcher.drain(),
  };
}
