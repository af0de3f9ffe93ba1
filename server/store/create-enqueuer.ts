import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { createBatcher } from "../lib/create-batcher.ts";
import { acceptRequests, type AcceptStreams, type LeaseAsk } from "./accept-requests.ts";
import type { AcceptRequest, AcceptResult } from "./new-message.ts";
import type { Db } from "./prisma.ts";
import { classifyStoreFailure, sqlStateOf } from "./store-failure.ts";
import { StoreUnavailableError } from "./store-unavailable-error.ts";

interface EnqueuerDeps {
  db: Db;
  logger: Logger;
  groupCommitMs: number;
  /** Most messages (rows) one INSERT carries. */
  groupCommitMaxRows: number;
  /** Most message bytes one INSERT carries. */
  groupCommitMaxBytes: number;
  /** Group commits in flight at once; requests arriving meanwhile join the next one. */
  groupCommitConcurrency: number;
  /** Called after each commit with how many messages it stored. */
  onStored: (count: number) => void;
  /** What the delivery engine can take on right now: idle streams an accept may lease to it. */
  leaseAsk: () => LeaseAsk;
  /** What a commit did to streams being delivered (leased to us, held by us, held elsewhere). */
  onStreams: (streams: AcceptStreams) => void;
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
        // A retry leases nothing: its first try may have leased (and that lease lapses by itself).
        const ask = attempt === 0 ? deps.leaseAsk() : { leaseMs: 0, limit: 0, instance: null, window: 1 };
        const { results, streams } = await acceptRequests(deps.db, token, requests, ask);
        deps.onStreams(streams);
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

  const batcher = createBatcher<AcceptRequest, Outcome>({
    maxItems: Number.MAX_SAFE_INTEGER,
    maxDelayMs: deps.groupCommitMs,
    size: (r) => ({ rows: r.messages.length, bytes: r.messages.reduce((n, m) => n + m.bytes, 0) }),
    maxRows: deps.groupCommitMaxRows,
    maxBytes: deps.groupCommitMaxBytes,
    maxConcurrent: deps.groupCommitConcurrency,
    flush: async (requests) => {
      try {
        return await commit(requests);
      } catch (error) {
        if (requests.length === 1 || classifyStoreFailure(error) !== "rolled_back") return requests.map(() => ({ error }));
        return Promise.all(requests.map((r) => commit([r]).then((res) => res[0] as AcceptResult, (e: unknown) => ({ error: e }))));
      }
    },
  });

  return {
    async enqueue(request) {
      const outcome: Outcome = await batcher.add(request).catch((error: unknown) => ({ error }));
      if ("error" in outcome) {
        deps.logger.warn({ err: outcome.error, count: request.messages.length }, "could not store messages");
        throw new StoreUnavailableError("could not store messages", outcome.error);
      }
      if (outcome.outcome === "stored" && outcome.ids.length > 0) deps.onStored(outcome.ids.length);
      return outcome;
    },
    drain: () => batcher.drain(),
  };
}
