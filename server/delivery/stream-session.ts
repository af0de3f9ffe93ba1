import type { MessagePayload } from "../protocol/message-payload.ts";
import { End, type Advance, type AdvanceResult, type EndCode } from "../store/advance-streams.ts";
import type { ClaimedStream } from "../store/claim-streams.ts";
import type { StreamMessage } from "../store/stream-message.ts";
import type { EmitOutcome } from "./room-emitter.ts";

export interface SessionDeps {
  window: number;
  windowBytes: number;
  /** How long a lease lasts from the moment it is claimed or renewed. */
  leaseMs: number;
  /** Stop sending this long before the lease would run out unrenewed (the next holder starts after it). */
  leaseSafetyMs: number;
  /** Caught up, the lease is kept this long for messages to come (accepts hand them over) before release. */
  lingerMs: number;
  /** Acked progress is written at most this often while the lease goes on (always when it ends). */
  recordMs: number;
  emit: (uid: string, payload: MessagePayload) => Promise<EmitOutcome>;
  /** A producer cancelled it after this session read it: it is dropped unsent (like an expired one). */
  isCancelled: (id: bigint) => boolean;
  /** Queues a progress report; resolves with the database's answer (rejects if it could not be written). */
  report: (entry: Advance) => Promise<AdvanceResult | undefined>;
  backoffMs: (failures: number) => number;
  onOutcome: (m: StreamMessage, outcome: EmitOutcome) => void;
  /** Messages skipped because they expired (or were dropped) before they could be sent. */
  onSkipped: (count: number) => void;
  /** The number of messages this session holds (read, sent or not, and not yet acked) changed by `delta`. */
  onHeld: (delta: number) => void;
  /** The lease ended (`state`); a backed-off stream is due again in `dueInMs`. */
  onEnd: (session: StreamSession, state: string, dueInMs?: number) => void;
  now?: () => number;
}

interface InFlight {
  m: StreamMessage;
  outcome: EmitOutcome | null;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * One uid's delivery while this instance holds its lease. States, in order:
 *   sending   — emits its window in order, at most `window` messages / `windowBytes` unacked; acks move
 *               the contiguous acked position; reports (batched with other sessions') record it every
 *               `recordMs`, renew the lease, and read the next window before this one runs dry;
 *   lingering — caught up, it keeps the lease for `lingerMs`: a message accepted here for the uid is
 *               handed straight to it (append), one accepted elsewhere makes it read (poke);
 *   stopping  — an emit found nobody (→ park) or got no ack in time (→ back off), the engine stops or
 *               the lease could not be renewed (→ hand back): nothing more is sent; once every emit has
 *               settled, the end is reported;
 *   ended     — the lease is given up (released, parked, backing off, handed back) or was lost.
 * Only the holder of the current lease sends a uid's messages, so a uid's messages leave in order;
 * whatever was sent but not acked when a lease ends is sent again by the next one (at least once).
 */
export function createStreamSession(start: ClaimedStream, deps: SessionDeps) {
  const now = deps.now ?? Date.now;
  const uid = start.uid;
  const buffer: StreamMessage[] = [];
  const inflight: InFlight[] = [];
  let inflightBytes = 0;
  let ackedSeq = start.ackedSeq;
  let ackedId = 0n;
  let reportedSeq = start.ackedSeq;
  let fetchedSeq = start.ackedSeq;
  let sentSeq = start.ackedSeq; // the highest seq known to have reached a socket
  let fetchedId = 0n;
  let lastSeq = start.lastSeq;
  // Local estimate of when the lease ends (claims and the database count from a moment before this).
  let leaseEnd = now() + deps.leaseMs;
  const deadline = () => leaseEnd - deps.leaseSafetyMs;
  // The database renews a kept lease only once half of it is gone; ask no earlier than that.
  const renewAt = () => leaseEnd - deps.leaseMs / 2 + 100;
  let lastActivity = now();
  let lastReport = now();
  let reporting = false;
  let wantRead = false;
  let stopping: EndCode | null = null;
  let ended = false;
  let held = 0;
  let timer: NodeJS.Timeout | undefined;
  // Appends that arrived ahead of an earlier one (two group commits finishing out of order), by first seq.
  const early = new Map<bigint, StreamMessage[]>();
  let earlyTimer: NodeJS.Timeout | undefined;

  const recount = () => {
    const count = ended ? 0 : buffer.length + inflight.length;
    if (count !== held) deps.onHeld(count - held);
    held = count;
  };
  const attemptOf = (m: StreamMessage) => (m.seq <= start.retryUpto ? start.attempts + 1 : 1);

  const take = (messages: StreamMessage[]) => {
    for (const m of messages) {
      if (m.seq <= fetchedSeq) continue;
      const gap = Number(m.seq - fetchedSeq - 1n);
      if (gap > 0) deps.onSkipped(gap);
      buffer.push(m);
      fetchedSeq = m.seq;
      fetchedId = m.id;
    }
    lastSeq = max(lastSeq, fetchedSeq);
    recount();
  };
  take(start.messages); // the first window came with the claim (or the accept)

  const wakeAt = (at: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, Math.max(1, at - now()));
    timer.unref();
  };

  const end = (state: string, dueInMs?: number) => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    if (earlyTimer) clearTimeout(earlyTimer);
    buffer.length = 0;
    recount();
    deps.onEnd(session, state, dueInMs);
  };

  const report = (endCode: EndCode, read: boolean) => {
    reporting = true;
    if (read) wantRead = false;
    const entry: Advance = {
      uid,
      lease: start.lease,
      ackedSeq,
      ackedId,
      // A release also reads after its high-water mark: messages that arrived meanwhile keep it going.
      fetchAfter: read || endCode === End.release ? (fetchedId > 0n ? fetchedId : ackedId) : null,
      end: endCode,
      delayMs: endCode === End.backOff ? deps.backoffMs(start.failures + 1) : 0,
      wakeSeq: start.wakeSeq,
      attempt: start.attempts + 1,
      retryUpto: start.retryUpto,
      sentSeq,
    };
    const recorded = ackedSeq;
    lastReport = now();
    deps.report(entry).then(
      (result) => {
        reporting = false;
        if (!result || result.state === "lost") return end("lost");
        // An accept held the row this instant: nothing was written; report again a little later.
        if (result.state === "busy") return wakeAt(now() + 20 + Math.random() * 30);
        reportedSeq = max(reportedSeq, recorded);
        if (result.lastSeq !== null) lastSeq = max(lastSeq, result.lastSeq);
        if (result.state !== "held") return end(result.state, entry.delayMs);
        if (result.leaseLeftMs !== null) leaseEnd = now() + result.leaseLeftMs;
        if (result.messages.length > 0) lastActivity = now();
        take(result.messages);
        if (result.skipTo !== null && result.skipTo > fetchedSeq) {
          // The read found nothing deliverable up to skipTo (expired, or dropped by retention).
          deps.onSkipped(Number(result.skipTo - fetchedSeq));
          fetchedSeq = result.skipTo;
        }
        pump();
      },
      () => {
        // Not recorded (database away): try again while the lease lasts, then let it lapse.
        reporting = false;
        if (now() >= deadline()) return end("lapsed");
        wakeAt(now() + 200);
      },
    );
  };

  const settle = (entry: InFlight, outcome: EmitOutcome) => {
    entry.outcome = outcome;
    lastActivity = now();
    deps.onOutcome(entry.m, outcome);
    // Sockets that got it but did not ack → back off; not emitted (Redis away) → hand back, the engine
    // claims again once it can emit; nobody connected → park. In that order of precedence.
    if (outcome === "acked" || outcome === "timeout") sentSeq = max(sentSeq, entry.m.seq);
    if (outcome === "timeout") stopping = End.backOff;
    if (outcome === "unsent" && stopping !== End.backOff) stopping = End.handBack;
    if (outcome === "offline" && stopping === null) stopping = End.park;
    while (inflight.length > 0 && inflight[0]!.outcome === "acked") {
      const done = inflight.shift() as InFlight;
      inflightBytes -= done.m.bytes;
      ackedSeq = done.m.seq;
      ackedId = done.m.id;
    }
    recount();
    pump();
  };

  const send = () => {
    while (buffer.length > 0 && inflight.length < deps.window && (inflight.length === 0 || inflightBytes < deps.windowBytes)) {
      if (now() >= deadline()) return;
      const m = buffer.shift() as StreamMessage;
      if (deps.isCancelled(m.id)) {
        // Its position is passed by the next ack, or by the next read, which no longer sees it.
        deps.onSkipped(1);
        recount();
        continue;
      }
      const entry: InFlight = { m, outcome: null };
      inflight.push(entry);
      inflightBytes += m.bytes;
      lastActivity = now();
      const attempt = attemptOf(m);
      const payload: MessagePayload = {
        id: String(m.id),
        type: m.msgType,
        clientType: m.clientType,
        msg: m.msg,
        createdAt: m.createdAt.toISOString(),
        attempt,
      };
      void deps.emit(uid, payload).then((outcome) => settle(entry, outcome));
    }
  };

  const pump = () => {
    if (ended) return;
    if (reporting) {
      if (stopping === null) send();
      return;
    }
    if (stopping !== null) {
      if (inflight.some((e) => e.outcome === null)) return;
      return report(stopping, false);
    }
    const t = now();
    if (t >= deadline()) {
      // The lease could not be renewed in time: stop; once emits settle, hand it back if we still can.
      stopping = End.handBack;
      return pump();
    }
    send();
    if (wantRead || (lastSeq > fetchedSeq && buffer.length < deps.window / 2)) return report(End.keep, true);
    const caughtUp = buffer.length === 0 && inflight.length === 0;
    if (caughtUp && t - lastActivity >= deps.lingerMs) return report(End.release, false);
    const unrecorded = ackedSeq > reportedSeq;
    if ((unrecorded && t - lastReport >= deps.recordMs) || t >= renewAt()) return report(End.keep, false);
    let next = renewAt();
    if (caughtUp) next = Math.min(next, lastActivity + deps.lingerMs);
    if (unrecorded) next = Math.min(next, lastReport + deps.recordMs);
    wakeAt(next);
  };

  const session = {
    uid,
    lease: start.lease,
    start: () => pump(),
    /** Messages accepted here for this uid while we hold it (seqs from `firstSeq`); false if not taken. */
    append(firstSeq: bigint, messages: StreamMessage[]): boolean {
      if (ended || stopping !== null) return false;
      lastActivity = now();
      const last = firstSeq + BigInt(messages.length) - 1n;
      if (firstSeq > fetchedSeq + 1n && early.size < 16) {
        // An earlier commit's append is probably a moment behind: wait for it briefly, then read instead.
        early.set(firstSeq, messages);
        earlyTimer ??= setTimeout(() => {
          earlyTimer = undefined;
          for (const [first, ms] of early) lastSeq = max(lastSeq, first + BigInt(ms.length) - 1n);
          early.clear();
          pump();
        }, 50);
        return true;
      }
      // Held in memory only up to a window; beyond it (or after a gap) they are read in order later.
      if (firstSeq === fetchedSeq + 1n && buffer.length + messages.length <= deps.window) take(messages);
      else lastSeq = max(lastSeq, last);
      for (let next = early.get(fetchedSeq + 1n); next && buffer.length + next.length <= deps.window; next = early.get(fetchedSeq + 1n)) {
        early.delete(fetchedSeq + 1n);
        take(next);
      }
      if (early.size === 0 && earlyTimer) {
        clearTimeout(earlyTimer);
        earlyTimer = undefined;
      }
      pump();
      return true;
    },
    /** Another instance accepted messages for this uid: read them now. */
    poke(): void {
      if (ended || stopping !== null) return;
      wantRead = true;
      lastActivity = now();
      pump();
    },
    /** Stop sending; hand the stream back once the emits in flight have settled (shutdown). */
    stop() {
      if (stopping === null) stopping = End.handBack;
      pump();
    },
    get ended() {
      return ended;
    },
  };
  return session;
}

export type StreamSession = ReturnType<typeof createStreamSession>;
