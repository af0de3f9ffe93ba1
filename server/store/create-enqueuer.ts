import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { createBatcher } from "../lib/create-batcher.ts";
import { acceptRequests, type AcceptOutput, type HeldAppend } from "./accept-requests.ts";
import type { AcceptRequest, AcceptResult } from "./new-message.ts";
import type { Db } from "./prisma.ts";
import type { SqlRunner } from "./sql-runner.ts";
import { classifyStoreFailure, sqlStateOf } from "./store-failure.ts";
import { StoreUnavailableError } from "./store-unavailable-error.ts";

interface EnqueuerDeps {
  /** Keyed commits (a transaction). */
  db: Db;
  /** Commits without keys (one statement), on the same pool. */
  sql: SqlRunner;
  logger: Logger;
  groupCommitMs: number;
  /** Most messages (rows) one INSERT carries. */
  groupCommitMaxRows: number;
  /** Most message bytes one INSERT carries. */
  groupCommitMaxBytes: number;
  /**
   * Commit lanes: requests are spread over them by uid, each lane has one group commit in flight and the
   * requests arriving meanwhile join its next one. Lanes hold disjoint uids (but for batches, which go
   * whole to the lane of their first uid), so their commits run side by side without waiting for each other.
   */
  groupCommitConcurrency: number;
  /** Called after each commit with how many messages it stored. */
  onStored: (count: number) => void;
  /** Held uids a commit added messages to (in commit order): their holders are handed them. */
  onHeld: (held: HeldAppend[]) => void;
  /** How long requests waited for their commit, and how long its statement took (seconds). */
  observe?: (phase: "queue" | "commit", seconds: number) => void;
  /** With tracing on: runs each try of a group commit's statement inside the requests' commit spans. */
  traceCommit?: (requests: readonly AcceptRequest[], store: () => Promise<AcceptOutput>) => Promise<AcceptOutput>;
  /** Waits between tries of a group commit whose outcome is unknown (default 100, 400 ms). */
  retryDelaysMs?: number[];
}

export interface Enqueuer {
  /** Resolves once the request's messages are committed (or found stored before); rejects with a StoreUnavailableError otherwise. */
  enqueue(request: AcceptRequest): Promise<AcceptResult>;
  /** Waits for commits in progress (shutdown). */
  drain(): Promise<void>;
}

type Outcome = AcceptResult | { error: unknown };
/** A request waiting for its group commit, with when it started waiting. */
type Queued = AcceptRequest & { queuedAt: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RETRYABLE_ROLLBACK = new Set(["40001", "40P01"]); // serialization failure, deadlock

/**
 * Group commit: requests arriving within `groupCommitMs` share one transaction (one WAL flush), capped
 * by rows and bytes. Each group commit carries a token; when its outcome is unknown (the connection
 * broke during the statement or its COMMIT) it is retried with the same token, so a commit that did
 * happen is answered from what it stored rather than stored twice. A group commit the database
 * rejected (nothing committed) is retried request by request, so one request's failure is never another's.
 */
export function createEnqueuer(deps: EnqueuerDeps): Enqueuer {
  const delays = deps.retryDelaysMs ?? [100, 400];

  const commit = async (requests: AcceptRequest[]): Promise<AcceptResult[]> => {
    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        const started = performance.now();
        const { results, held } = await (deps.traceCommit
          ? deps.traceCommit(requests, () => acceptRequests(deps.db, deps.sql, token, requests))
          : acceptRequests(deps.db, deps.sql, token, requests));
        deps.observe?.("commit", (performance.now() - started) / 1000);
        if (held.length > 0) deps.onHeld(held);
        return results;
      } catch (error) {
        const kind = classifyStoreFailure(error);
        const code = sqlStateOf(error);
        const retryable = kind !== "rolled_back" || (code !== undefined && RETRYABLE_ROLLBACK.has(code));
        if (!retryable || attempt >= delays.length) throw error;
        deps.logger.debug({ err: error, kind, attempt }, "group commit failed; retrying with the same token");
        await sleep(delays[attempt] as number);
      }
    }
  };

  const lane = () => createBatcher<Queued, Outcome>({
    maxItems: Number.MAX_SAFE_INTEGER,
    maxDelayMs: deps.groupCommitMs,
    size: (r) => ({ rows: r.messages.length, bytes: r.messages.reduce((n, m) => n + m.bytes, 0) }),
    maxRows: deps.groupCommitMaxRows,
    maxBytes: deps.groupCommitMaxBytes,
    maxConcurrent: 1,
    flush: async (requests) => {
      try {
        if (deps.observe) for (const r of requests) deps.observe("queue", (performance.now() - r.queuedAt) / 1000);
        return await commit(requests);
      } catch (error) {
        if (requests.length === 1 || classifyStoreFailure(error) !== "rolled_back") return requests.map(() => ({ error }));
        return Promise.all(requests.map((r) => commit([r]).then((res) => res[0] as AcceptResult, (e: unknown) => ({ error: e }))));
      }
    },
  });

  const lanes = Array.from({ length: Math.max(1, deps.groupCommitConcurrency) }, lane);
  const laneOf = (r: AcceptRequest) => lanes[lanes.length === 1 ? 0 : laneHash(r.messages[0]?.uid ?? "") % lanes.length] as (typeof lanes)[number];

  return {
    async enqueue(request) {
      const outcome: Outcome = await laneOf(request)
        .add({ ...request, queuedAt: performance.now() })
        .catch((error: unknown) => ({ error }));
      if ("error" in outcome) {
        deps.logger.warn({ err: outcome.error, count: request.messages.length }, "could not store messages");
        throw new StoreUnavailableError("could not store messages", outcome.error);
      }
      if (outcome.outcome === "stored" && outcome.ids.length > 0) deps.onStored(outcome.ids.length);
      return outcome;
    },
    drain: () => Promise.all(lanes.map((l) => l.drain())).then(() => undefined),
  };
}

/** FNV-1a of the uid: which lane its requests take. */
function laneHash(uid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < uid.length; i++) h = Math.imul(h ^ uid.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
