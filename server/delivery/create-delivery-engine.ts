import type { HeldAppend } from "../store/accept-requests.ts";
import type { EndRequest } from "../store/end-holdings.ts";
import { heldUids } from "../store/held-uids.ts";
import type { HolderGrant } from "../store/holder-grant.ts";
import { releaseAll } from "../store/instance-liveness.ts";
import type { StreamMessage } from "../store/stream-message.ts";
import type { UnreadStamp } from "../store/unread-stamp.ts";
import { wakeHeads, type WakeResult } from "../store/wake-heads.ts";
import { createCancelledIds } from "./cancelled-ids.ts";
import { createConnectWaker } from "./create-connect-waker.ts";
import { lapseForgottenHoldings } from "./lapse-forgotten-holdings.ts";
import { createDrain } from "./create-drain.ts";
import { createHolderIo } from "./create-holder-io.ts";
import { createLiveness } from "./create-liveness.ts";
import { createSessionDeps } from "./create-session-deps.ts";
import type { DeliveryEngineDeps } from "./delivery-engine-deps.ts";
import type { DeliveryTarget } from "./delivery-target.ts";
import { createHandOverQueue } from "./hand-over-queue.ts";
import { createJoinWatch } from "./join-watch.ts";
import { createLocalSockets } from "./local-sockets.ts";
import type { RelayNotice } from "./relay-notice.ts";
import { createRelayReceiver } from "./relay-receiver.ts";
import { relayKey } from "./relay-target.ts";
import { RelayTargets } from "./relay-targets.ts";
import { fromWireGrant, fromWireMessages, toWireGrant, toWireMessages } from "./relay-wire.ts";
import type { EndedSession, SessionEnd } from "./session-deps.ts";
import { StreamSession } from "./stream-session.ts";

/** A holder asked to relay to our sockets that has not answered in this long is looked up again. */
const JOIN_ANSWER_MS = 2000;
/** A holding told of nothing new for this long is checked against the store's head (see recheck). */
const RECHECK_QUIET_MS = 2000;

/**
 * Delivery, where the sockets are. A uid is held by the instance one of its sockets is connected to (a
 * connect grants it); that instance sends it to its sockets itself, and to other instances that relay to
 * the uid's sockets they hold. Accepts hand new messages to the holder (here: straight to its session;
 * elsewhere: a notice). Uids nobody holds wait parked; due ones (backoffs, hand-backs, uids of dead
 * instances) are claimed by the drain and moved to where their sockets are. docs/design.md §3–§5.
 */
export function createDeliveryEngine(deps: DeliveryEngineDeps) {
  const { logger, metrics, instance } = deps;
  const sessions = new Map<string, StreamSession>();
  const local = createLocalSockets();
  const cancelled = createCancelledIds(2 * (deps.ackTimeoutMs + deps.aliveMs));
  const relayTargets = new RelayTargets();
  const adopting = new Set<string>();
  const receiver = deps.relay ? createRelayReceiver({ port: deps.relay, localSockets: (uid) => local.of(uid) }) : undefined;
  let held = 0;
  let stopped = false;

  const liveness = createLiveness({ db: deps.db, logger, instance, aliveMs: deps.aliveMs, safetyMs: deps.aliveSafetyMs });
  const io = createHolderIo({
    db: deps.db,
    sql: deps.sql,
    logger,
    instance,
    limits: { window: deps.window, windowBytes: deps.windowBytes },
    flushMs: deps.flushMs,
    recordFlushMs: Math.max(deps.flushMs, Math.min(50, deps.recordMs)),
    concurrency: deps.flushConcurrency,
    observe: (kind, seconds) => metrics.phase(kind, seconds),
  });
  const waker = createConnectWaker({
    db: deps.controlDb,
    logger,
    instance,
    onResult: (r) => woke(r),
    stillWanted: (uid) => !stopped && local.has(uid) && !sessions.has(uid),
  });
  const drain = createDrain({
    db: deps.db,
    logger,
    metrics,
    instance,
    cron: deps.cron,
    batch: deps.batch,
    window: deps.window,
    windowBytes: deps.windowBytes,
    room: () => deps.maxInFlight - held,
    canClaim: () => !stopped && liveness.alive(),
    onGrant: (grant) => open(grant, 0),
  });
  const joins = createJoinWatch({
    relay: deps.relay,
    answerMs: JOIN_ANSWER_MS,
    onSilent: (uid) => local.has(uid) && !sessions.has(uid) && !receiver?.has(uid) && wakeLocal(uid),
  });
  const nudge = () => (deps.nudgeDrain ? drain.nudge() : undefined);

  const sessionDeps = createSessionDeps({
    deps,
    alive: () => liveness.alive(),
    isCancelled: (id) => cancelled.has(id),
    io,
    onHeld: (delta) => {
      held += delta;
      metrics.inFlight.set(held);
    },
    onEnd: (s, result, request) => ended(s, result, request),
  });

  const open = (grant: HolderGrant, graceMs?: number): void => {
    const current = sessions.get(grant.uid);
    if (current && current.current !== "ended") {
      if (current.lease >= grant.lease) return;
      current.abandon(); // a newer lease of ours supersedes it
    }
    receiver?.drop(grant.uid);
    joins.clear(grant.uid);
    const session = new StreamSession(grant, sessionDeps);
    sessions.set(grant.uid, session);
    session.start(local.of(grant.uid), graceMs);
  };

  const ended = (s: EndedSession, result: SessionEnd, request?: EndRequest): void => {
    if (sessions.get(s.uid) === s) sessions.delete(s.uid);
    relayTargets.deleteUid(s.uid);
    switch (result.state) {
      case "transferred":
        if (request?.to && deps.relay) deps.relay.send(request.to, { t: "grant", grant: toWireGrant(s.uid, result, request, s.unreadStamp) });
        break;
      case "backoff":
        if (request) drain.nudgeIn(request.delayMs);
        break;
      case "due":
      case "handed_back":
        nudge();
        break;
      case "parked":
        metrics.parked.inc();
        break;
    }
    // Sockets of the uid are (again) here: take it back, or ask its new holder to send to them.
    if (!stopped && local.has(s.uid) && result.state !== "backoff" && result.state !== "lapsed") wakeLocal(s.uid);
  };

  const wakeLocal = (uid: string): void => {
    if (!stopped) waker.wake(uid);
  };

  const woke = (r: WakeResult): void => {
    if (stopped) return;
    if (r.outcome !== "held") {
      if (!sessions.has(r.grant.uid) || r.outcome === "granted") open(r.grant);
      return;
    }
    if (!local.has(r.uid) || receiver?.has(r.uid)) return;
    // Held elsewhere: ask its holder to send to our sockets too; if it does not answer, look again.
    joins.ask(r.uid, r.holder);
  };

  /** We hold `uids` (an accept or a notice said so) without a session: read where they stand and start. */
  const adopt = (uids: string[]): void => {
    const fresh = uids.filter((u) => !adopting.has(u));
    if (fresh.length === 0 || stopped) return;
    for (const u of fresh) adopting.add(u);
    heldUids(deps.controlDb, instance, fresh)
      .then((grants) => grants.forEach((g) => open(g)))
      .catch((err: unknown) => logger.debug({ err }, "could not adopt holdings; the periodic check will"))
      .finally(() => fresh.forEach((u) => adopting.delete(u)));
  };

  const appendHere = (uid: string, lease: bigint, firstSeq: bigint, messages: StreamMessage[], unread: UnreadStamp): void => {
    const s = sessions.get(uid);
    if (s && s.lease === lease) s.append(firstSeq, messages, unread);
    else if (!s || s.lease < lease) adopt([uid]);
  };

  const handovers = createHandOverQueue((h) => {
    if (h.holder === instance) appendHere(h.uid, h.lease, h.firstSeq, h.messages, h.unread);
    else deps.relay?.send(h.holder, { t: "append", uid: h.uid, lease: String(h.lease), first: String(h.firstSeq), unread: h.unread, messages: toWireMessages(h.messages), tp: deps.tracer?.relayed(h.messages) });
  });

  const relayed = (from: string, n: RelayNotice): void => {
    if (stopped) return;
    switch (n.t) {
      case "append":
        deps.tracer?.received(n.messages, n.tp);
        return appendHere(n.uid, BigInt(n.lease), BigInt(n.first), fromWireMessages(n.messages), n.unread);
      case "grant":
        return open(fromWireGrant(n.grant));
      case "join": {
        const s = sessions.get(n.uid);
        if (!s || !deps.relay || s.current === "ending" || s.current === "ended") return deps.relay?.send(from, { t: "notHeld", uid: n.uid });
        return relayTargets.open(from, s, deps.relay);
      }
      case "notHeld":
        joins.clear(n.uid);
        if (local.has(n.uid) && !sessions.has(n.uid)) wakeLocal(n.uid);
        return;
      case "frame":
        if (receiver?.frame(from, n)) joins.clear(n.uid);
        return;
      case "ack": {
        const target = relayTargets.get(n.uid, from);
        if (target && sessions.get(n.uid)?.lease === BigInt(n.lease)) target.ack(BigInt(n.from), BigInt(n.to));
        return;
      }
      case "leave":
        relayTargets.delete(n.uid, from);
        return sessions.get(n.uid)?.removeTarget(relayKey(from));
      case "end":
        return receiver?.end(from, n.uid, BigInt(n.lease));
    }
  };

  return {
    async start(): Promise<void> {
      await liveness.start();
      drain.start();
      drain.nudge();
    },

    /**
     * A group commit stored messages for held uids (called in commit order). Handed over after the
     * commit's requests are answered: a large commit's sends must not hold its 202s back.
     */
    accepted(heldUidsOfCommit: HeldAppend[]): void {
      handovers.push(heldUidsOfCommit);
    },

    /** A notice from another instance. */
    relayed,

    /** A socket of `uid` joined here (after its room). */
    socketJoined(uid: string, target: DeliveryTarget): void {
      local.add(uid, target);
      const s = sessions.get(uid);
      if (s) return s.addTarget(target);
      if (receiver?.has(uid)) return receiver.addSocket(uid, target);
      wakeLocal(uid);
    },

    socketLeft(uid: string, key: string): void {
      local.remove(uid, key);
      sessions.get(uid)?.removeTarget(key);
      receiver?.removeSocket(uid, key);
    },

    /** Messages cancelled (here or on another instance): holdings here that read them do not send them. */
    cancelled(ids: bigint[]): void {
      cancelled.add(ids);
    },

    /**
     * The periodic safety net: uids held here with messages beyond their position are read (a hand-over that
     * never arrived); holdings the store no longer gives this instance lapse; uids connected here that nobody
     * holds are taken.
     */
    async recheck(): Promise<number> {
      if (stopped) return 0;
      let touched = 0;
      const known = new Map([...sessions.values()].map((s) => [s.uid, s.knownHead]));
      for (const g of await heldUids(deps.controlDb, instance, null, known)) {
        const s = sessions.get(g.uid);
        // A busy uid's recorded position lags (records are periodic) and hand-overs are on their way:
        // only a holding that heard nothing for a while can have missed one.
        if (s && s.lease === g.lease && Date.now() - s.heardAt > RECHECK_QUIET_MS) s.noteHead(g.lastSeq);
        else if (!s) (touched++, open(g));
      }
      touched += await lapseForgottenHoldings({ db: deps.controlDb, instance, sessions, quietMs: RECHECK_QUIET_MS, onLapsed: (uid) => local.has(uid) && wakeLocal(uid) });
      const loose = local.uids().filter((u) => !sessions.has(u) && !receiver?.has(u) && !waker.waking(u) && !joins.has(u)).sort();
      for (let i = 0; i < loose.length; i += 1000) {
        for (const r of await wakeHeads(deps.controlDb, loose.slice(i, i + 1000), instance, true)) (touched++, woke(r));
      }
      return touched;
    },

    nudge: () => drain.nudge(),
    get sessions() {
      return sessions.size;
    },

    /**
     * Shutdown: no new claims; every holding's position is recorded and every uid held here given up at once
     * (due where something is pending, so another instance takes it); what is unacked goes out again there.
     */
    async stop(): Promise<void> {
      stopped = true;
      await drain.stop();
      joins.stop();
      const positions = [...sessions.values()].map((s) => s.position());
      await io.drain().catch(() => undefined);
      try {
        if (positions.length > 0) await io.recordAll(positions);
        const n = await releaseAll(deps.db, instance);
        if (n > 0) logger.info({ released: n }, "gave up held uids at shutdown");
      } catch (err) {
        logger.warn({ err }, "could not give held uids up at shutdown; they pass to others when this instance's life lapses");
      }
      for (const s of [...sessions.values()]) s.abandon();
      liveness.stop();
      await waker.drain().catch(() => undefined);
    },
  };
}

export type DeliveryEngine = ReturnType<typeof createDeliveryEngine>;
