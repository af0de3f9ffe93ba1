import { CronJob } from "cron";
import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { AcceptStreams, LeaseAsk } from "../store/accept-requests.ts";
import { claimStreams, type ClaimedStream } from "../store/claim-streams.ts";
import type { Db } from "../store/prisma.ts";
import { retryDelayMs } from "./backoff.ts";
import { createCancelledIds } from "./cancelled-ids.ts";
import { createAdvanceFlusher } from "./create-advance-flusher.ts";
import type { RoomEmitter } from "./room-emitter.ts";
import { createStreamSession, type StreamSession } from "./stream-session.ts";

interface DeliveryEngineDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  emit: RoomEmitter;
  /** False while emits cannot reach the cluster (the adapter's Redis is away): nothing is claimed then. */
  canDeliver: () => boolean;
  cron: string;
  /** DRAIN_BATCH: messages one claim may take. */
  batch: number;
  window: number;
  windowBytes: number;
  leaseMs: number;
  leaseSafetyMs: number;
  /** Messages held by this instance's sessions (sent unacked + read unsent) at most. */
  maxInFlight: number;
  retryBaseMs: number;
  retryMaxMs: number;
  flushMs: number;
  flushConcurrency: number;
  /** Let accepts lease idle streams to this instance (live delivery without a claim). */
  leaseOnAccept: boolean;
  lingerMs: number;
  recordMs: number;
  /** This hub instance's id: the holder recorded on its leases. */
  instance: string;
  /** Tells another instance to read streams it holds (new messages were accepted here). */
  pokeRemote: (holder: string, uids: string[]) => void;
}

/**
 * Delivery: the cron job (DRAIN_CRON) and nudges (a commit, a connect, a stream handed back) run a drain
 * that claims due streams until none is left or this instance holds `maxInFlight` messages. Each claimed
 * stream gets a session that sends its window, follows its acks and reports its progress (batched);
 * claims never wait for another instance's, and the sessions' reports are fenced by their leases.
 */
export function createDeliveryEngine(deps: DeliveryEngineDeps) {
  const { db, logger, metrics } = deps;
  const sessions = new Set<StreamSession>();
  const byUid = new Map<string, StreamSession>(); // the newest session of each uid
  const flusher = createAdvanceFlusher({
    db,
    logger,
    limits: { window: deps.window, windowBytes: deps.windowBytes, leaseMs: deps.leaseMs },
    flushMs: deps.flushMs,
    concurrency: deps.flushConcurrency,
  });
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let starved = false;
  const warnClaimFailed = createThrottledWarning(logger);

  let held = 0; // messages the sessions hold (read and not yet acked)
  const cancelled = createCancelledIds(2 * deps.leaseMs);

  const open = (claimed: ClaimedStream, handBack = false) => {
    const session = createStreamSession(claimed, {
      window: deps.window,
      windowBytes: deps.windowBytes,
      leaseMs: deps.leaseMs,
      leaseSafetyMs: deps.leaseSafetyMs,
      lingerMs: deps.lingerMs,
      recordMs: deps.recordMs,
      emit: deps.emit,
      isCancelled: (id) => cancelled.has(id),
      report: flusher.report,
      backoffMs: (failures) => retryDelayMs(failures, deps.retryBaseMs, deps.retryMaxMs),
      onOutcome: (m, outcome) => {
        if (outcome === "acked") {
          metrics.acked.inc();
          metrics.deliveryLatency.observe((Date.now() - m.createdAt.getTime()) / 1000);
        } else if (outcome === "offline") metrics.parked.inc();
        else if (outcome === "timeout") metrics.ackTimeouts.inc();
      },
      onSkipped: (n) => metrics.expired.inc(n),
      onHeld: (delta) => {
        held += delta;
        metrics.inFlight.set(held);
      },
      onEnd: (s, state, dueInMs) => {
        sessions.delete(s);
        if (byUid.get(s.uid) === s) byUid.delete(s.uid);
        // A backed-off stream is due at a known time: look then rather than at the next cron tick.
        if (state === "backoff" && dueInMs !== undefined) setTimeout(() => void drain(), dueInMs + 5).unref();
        if (state === "handed_back" || starved) {
          starved = false;
          drain();
        }
      },
    });
    sessions.add(session);
    byUid.set(session.uid, session);
    if (handBack) session.stop();
    else session.start();
  };

  const loop = async () => {
    again = false;
    while (!stopped && deps.canDeliver()) {
      again = false;
      const room = deps.maxInFlight - held;
      if (room <= 0) {
        starved = true;
        return;
      }
      const end = metrics.drainDuration.startTimer();
      const claimed = await claimStreams(db, {
        streams: deps.batch,
        messages: Math.min(deps.batch, room),
        window: deps.window,
        windowBytes: deps.windowBytes,
        leaseMs: deps.leaseMs,
        instance: deps.instance,
      });
      end();
      for (const c of claimed) {
        if (c.messages.length === 0) metrics.expired.inc(Number(c.lastSeq - c.ackedSeq));
        else if (!stopped) open(c);
      }
      if (claimed.length === 0 && !again) return;
    }
  };

  const drain = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = loop()
      .catch((err: unknown) => {
        // Typically the database is away; the next tick tries again. Log once per 10 s, not per tick.
        warnClaimFailed({ err }, "claim failed; retrying on the next tick");
      })
      .finally(() => {
        running = null;
        if (again && !stopped) void drain();
      });
    return running;
  };

  /**
   * What an accept here did to streams being delivered: streams it leased to us start sessions with
   * their new messages; streams we hold get them appended; holders elsewhere are told to read.
   */
  const adoptNow = (streams: AcceptStreams): void => {
    for (const a of streams.appends) {
      const s = byUid.get(a.uid);
      if (s && s.lease === a.lease) s.append(a.firstSeq, a.messages);
      // otherwise that session is ending: its release reads what is new and carries on
    }
    const remote = new Map<string, string[]>();
    for (const r of streams.remotes) remote.set(r.holder, [...(remote.get(r.holder) ?? []), r.uid]);
    for (const [holder, uids] of remote) deps.pokeRemote(holder, uids);
    for (const l of streams.leases) {
      const n = BigInt(l.messages.length);
      open(
        {
          uid: l.uid,
          lease: l.lease,
          attempts: 0,
          failures: 0,
          retryUpto: l.firstSeq - 1n,
          wakeSeq: l.wakeSeq,
          ackedSeq: l.firstSeq - 1n,
          lastSeq: l.firstSeq + n - 1n,
          messages: l.messages.slice(0, deps.window), // the rest is read when the window has room
        },
        stopped, // leased while shutting down: hand it straight back
      );
    }
  };

  // A group commit's answer is handed over after its requests are answered and the next commit has
  // started (a large one leases and emits to ~1,000 streams: done inline it would hold that next commit
  // back). Handed over in commit order, so a session's appends stay in order.
  const adoptions: AcceptStreams[] = [];
  const runAdoptions = () => {
    for (let next = adoptions.shift(); next; next = adoptions.shift()) adoptNow(next);
  };

  const job = CronJob.from({ cronTime: deps.cron, onTick: () => drain(), start: false, waitForCompletion: true });

  return {
    start: () => job.start(),
    /** What accepts may lease to this instance now (see push_hub_accept). */
    leaseAsk: (): LeaseAsk => ({
      leaseMs: deps.leaseMs,
      limit: deps.leaseOnAccept && !stopped && deps.canDeliver() ? Math.max(0, deps.maxInFlight - held) : 0,
      instance: deps.leaseOnAccept ? deps.instance : null,
      window: deps.window,
    }),
    adopt(streams: AcceptStreams): void {
      if (adoptions.push(streams) === 1) setImmediate(runAdoptions);
    },
    /** Another instance accepted messages for streams we hold: read them now. */
    poked(uids: string[]): void {
      runAdoptions(); // a poke can overtake the hand-over of the lease it is about
      for (const uid of uids) byUid.get(uid)?.poke();
    },
    /** Messages cancelled (here or on another instance): sessions here that read them do not send them. */
    cancelled(ids: bigint[]): void {
      cancelled.add(ids);
    },
    /** Runs a drain soon (coalesced with one in progress). */
    nudge: () => void drain(),
    get sessions() {
      return sessions.size;
    },
    /**
     * Shutdown: no new claims; every session stops sending and, once its emits have settled (or at
     * `deadline`), hands its stream back (due now) so another instance carries on at once.
     */
    async stop(deadline: number): Promise<void> {
      stopped = true;
      runAdoptions(); // leases granted to us meanwhile are handed straight back
      await job.stop();
      await running;
      for (const s of sessions) s.stop();
      while (sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await flusher.drain();
      if (sessions.size > 0) logger.info({ sessions: sessions.size }, "leases left to lapse at shutdown");
    },
  };
}

export type DeliveryEngine = ReturnType<typeof createDeliveryEngine>;
