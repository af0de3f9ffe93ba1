import type { Logger } from "pino";
import { createBatcher, type Batcher } from "../lib/create-batcher.ts";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { endHoldings, type EndRequest, type EndResult } from "../store/end-holdings.ts";
import type { Db } from "../store/prisma.ts";
import type { SqlRunner } from "../store/sql-runner.ts";
import { readWindows, type ReadFrom, type WindowLimits, type WindowRead } from "../store/read-windows.ts";
import { recordPositions, type Position } from "../store/record-positions.ts";

interface HolderIoDeps {
  db: Db;
  /** Position records, on the same pool. */
  sql: SqlRunner;
  logger: Logger;
  instance: string;
  limits: WindowLimits;
  /** Reads and ends of all holdings within this many ms share one statement. */
  flushMs: number;
  /**
   * Position records gather for this long: nothing waits for them (a holding goes on), so they can wait
   * for many holdings' positions and cost one statement for all.
   */
  recordFlushMs: number;
  /** Statements of each kind in flight at once. */
  concurrency: number;
  /** Statement durations, by kind. */
  observe?: (kind: "read" | "record" | "end", seconds: number) => void;
}

/** Runs `flush` on the entries of distinct uids; a second entry of a uid waits for the next flush. */
function perUid<T extends { uid: string }, R>(flush: (entries: T[]) => Promise<Map<string, R>>, later: (e: T) => Promise<R | undefined>) {
  return async (entries: T[]): Promise<(R | undefined)[]> => {
    const seen = new Set<string>();
    const now: T[] = [];
    const again = new Set<number>();
    entries.forEach((e, i) => {
      if (seen.has(e.uid)) again.add(i);
      else {
        seen.add(e.uid);
        now.push(e);
      }
    });
    const results = now.length > 0 ? await flush(now) : new Map<string, R>();
    const out: (R | undefined)[] = entries.map((e, i) => (again.has(i) ? undefined : results.get(e.uid)));
    for (const i of again) out[i] = await later(entries[i] as T);
    return out;
  };
}

/**
 * The database work of every holding on this instance, batched: window reads (read-only), position
 * records (committed without waiting for the WAL flush) and ends (one synchronous commit each batch).
 * Holdings never wait for each other's statements beyond one flush.
 */
export function createHolderIo(deps: HolderIoDeps) {
  const warn = createThrottledWarning(deps.logger);
  const timed = async <T>(kind: "read" | "record" | "end", run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await run();
    } catch (err) {
      warn({ err, kind }, "delivery statement failed; retrying");
      throw err;
    } finally {
      deps.observe?.(kind, (performance.now() - start) / 1000);
    }
  };
  const common = { maxItems: 2000, maxDelayMs: deps.flushMs, maxConcurrent: deps.concurrency };

  const reads: Batcher<ReadFrom, WindowRead | undefined> = createBatcher<ReadFrom, WindowRead | undefined>({
    ...common,
    flush: perUid(
      (from) => timed("read", () => readWindows(deps.db, from, deps.limits)),
      (e) => reads.add(e),
    ),
  });
  const records: Batcher<Position, boolean | undefined> = createBatcher<Position, boolean | undefined>({
    ...common,
    maxDelayMs: deps.recordFlushMs,
    flush: perUid(
      (entries) => timed("record", () => recordPositions(deps.sql, entries)).then(() => new Map(entries.map((e) => [e.uid, true]))),
      (e) => records.add(e),
    ),
  });
  const ends: Batcher<EndRequest, EndResult | undefined> = createBatcher<EndRequest, EndResult | undefined>({
    ...common,
    flush: perUid(
      (entries) => timed("end", () => endHoldings(deps.db, deps.instance, entries)),
      (e) => ends.add(e),
    ),
  });

  return {
    read: (from: ReadFrom) => reads.add(from),
    record: (position: Position) => records.add(position).then(() => undefined),
    end: (request: EndRequest) => ends.add(request),
    /** Positions of many holdings at once (shutdown). */
    recordAll: (positions: Position[]) => timed("record", () => recordPositions(deps.sql, positions)),
    drain: () => Promise.all([reads.drain(), records.drain(), ends.drain()]).then(() => undefined),
  };
}

export type HolderIo = ReturnType<typeof createHolderIo>;
