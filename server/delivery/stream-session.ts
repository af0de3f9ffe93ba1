import { HoldingEnd, type EndRequest } from "../store/end-holdings.ts";
import type { HolderGrant } from "../store/holder-grant.ts";
import type { WindowRead } from "../store/read-windows.ts";
import type { Position } from "../store/record-positions.ts";
import type { StreamMessage } from "../store/stream-message.ts";
import { newerStamp, type UnreadStamp } from "../store/unread-stamp.ts";
import { AckWatch, type WatchedHolding } from "./ack-watch.ts";
import type { DeliveryTarget, OutgoingMessage } from "./delivery-target.ts";
import { DeliveryWindow } from "./delivery-window.ts";
import { ProgressRecorder, type RecordedHolding } from "./progress-recorder.ts";
import type { SessionDeps, SessionEnd } from "./session-deps.ts";
import { endRequestOf, writeEnd } from "./session-end.ts";
import { canMove, SessionStateError, type SessionState } from "./session-state.ts";
import { SessionTargets, type TargetCursor } from "./session-targets.ts";
import { WindowReader, type ReadingHolding } from "./window-reader.ts";
import { sendWindow } from "./window-send.ts";

/**
 * One uid this instance holds (see session-state.ts for its states). Every target gets the window from
 * the acked position on, in order, so each socket of the uid sees a sequence that only ascends — also a
 * socket that joins mid-window (it is sent everything not yet acked first) and after a lost connection.
 * Acks from any target move the position; positions are recorded every `recordMs`; when nobody acks in
 * time the uid backs off; with no target left it moves to an instance that holds one, or is released.
 */
export class StreamSession implements RecordedHolding, WatchedHolding, ReadingHolding {
  readonly uid: string;
  readonly lease: bigint;
  private state: SessionState = "offline";
  private readonly win: DeliveryWindow;
  private readonly targets = new SessionTargets();
  private readonly recorder: ProgressRecorder;
  private readonly acks: AckWatch;
  private readonly reader: WindowReader;
  private lastSeq: bigint;
  private unread: UnreadStamp;
  private lastHeardAt: number;
  private progressed = false;
  private held = 0;
  private timers: { offline?: NodeJS.Timeout; retry?: NodeJS.Timeout } = {};
  private readonly now: () => number;

  constructor(
    private readonly grant: HolderGrant,
    private readonly deps: SessionDeps,
  ) {
    this.uid = grant.uid;
    this.lease = grant.lease;
    this.now = deps.now ?? Date.now;
    this.win = new DeliveryWindow(grant, deps);
    this.lastSeq = grant.lastSeq;
    this.unread = grant.unread;
    this.lastHeardAt = this.now();
    // Its parts read it through its methods, not callbacks of their own: one session lives per connected uid.
    this.recorder = new ProgressRecorder(grant.ackedSeq, this, deps);
    this.acks = new AckWatch(this, deps);
    this.reader = new WindowReader(this.win, this, deps);
    this.take(grant.messages);
  }

  get current(): SessionState {
    return this.state;
  }

  get ackedSeq(): bigint {
    return this.win.ackedSeq;
  }

  get unreadStamp(): UnreadStamp {
    return this.unread;
  }

  /**
   * Starts it with the targets the uid has here now. With none it is offline: it waits `graceMs` for one
   * (0: a claim of a uid nobody here is connected as — it moves on at once).
   */
  start(targets: Iterable<DeliveryTarget>, graceMs = this.deps.offlineGraceMs): void {
    for (const t of targets) this.targets.set(t, this.win.ackedSeq);
    if (this.targets.size > 0) this.move("active");
    if (this.targets.local() === 0) this.armOffline(graceMs);
    this.pump();
  }

  addTarget(target: DeliveryTarget): void {
    if (this.over()) return;
    // A (re)joining target gets everything not yet acked first: its sequence only ascends.
    this.targets.set(target, this.win.ackedSeq);
    if (target.instance === undefined) clearTimeout(this.timers.offline);
    if (this.state === "offline") this.move("active");
    this.pump();
  }

  removeTarget(key: string): void {
    if (!this.targets.delete(key)) return;
    if (this.targets.size === 0 && this.state === "active") this.move("offline");
    // No socket of the uid here any more: after the grace it moves to where its sockets are.
    if (this.targets.local() === 0) this.armOffline();
    this.pump();
  }

  /** Ending or ended: nothing more is sent or decided. */
  private over(): boolean {
    return this.state === "ending" || this.state === "ended";
  }

  /** Messages accepted for the uid from `firstSeq` on; a gap (or a full buffer) is read from the store instead. */
  append(firstSeq: bigint, messages: StreamMessage[], unread: UnreadStamp): void {
    if (this.over()) return;
    this.unread = newerStamp(this.unread, unread) as UnreadStamp;
    this.lastHeardAt = this.now();
    const last = firstSeq + BigInt(messages.length) - 1n;
    if (last > this.lastSeq) this.lastSeq = last;
    if (firstSeq <= this.win.fetchedSeq + 1n && this.win.size + messages.length <= 2 * this.deps.window) this.take(messages);
    this.pump();
  }

  /** The uid has messages up to `lastSeq` (told by the store, or a hand-over that could not be taken). */
  noteHead(lastSeq: bigint): void {
    if (lastSeq > this.lastSeq) this.lastSeq = lastSeq;
    this.pump();
  }

  /** The uid's head as this holding knows it. */
  get knownHead(): bigint {
    return this.lastSeq;
  }

  /** When a hand-over (or a read) last told it of new messages. */
  get heardAt(): number {
    return this.lastHeardAt;
  }

  /** Shutdown (or this instance lapsed): stop at once; what is unacked is sent again by the next holder. */
  abandon(): void {
    if (this.state === "ended") return;
    this.finish({ state: "lapsed", lease: this.lease, lastSeq: null });
  }

  /** Where it stands, for a record (shutdown records every holding before giving them all up). */
  position(): Position {
    return {
      uid: this.uid,
      firstSeq: this.recorder.recordedSeq + 1n,
      ackedSeq: this.win.ackedSeq,
      ackedId: this.win.ackedId,
      sentSeq: this.win.sentSeq,
      attempt: this.grant.attempts + 1,
      retryUpto: this.grant.retryUpto,
    };
  }

  // For its parts (recorder, ack watch, reader), which read it through these instead of callbacks.
  recordable(): Position | undefined {
    return this.over() ? undefined : this.position();
  }

  oldestUnacked(): number | undefined {
    return this.win.oldestUnacked();
  }

  /** Offline, the grace decides (the sockets that did not ack are gone; the next holder sends again). */
  watchingAcks(): boolean {
    return this.state === "active";
  }

  ackLate(): void {
    this.deps.onTimeout();
    this.end(HoldingEnd.backoff);
  }

  readFailed(): void {
    this.pump();
  }

  private move(to: SessionState): void {
    if (to === this.state) return;
    if (!canMove(this.state, to)) throw new SessionStateError(this.state, to);
    this.state = to;
  }

  private take(messages: StreamMessage[]): void {
    const skipped = this.win.take(messages);
    if (skipped > 0) this.deps.onSkipped(skipped);
    this.recount();
  }

  private recount(): void {
    const n = this.state === "ended" ? 0 : this.win.size;
    if (n !== this.held) this.deps.onHeld(n - this.held);
    this.held = n;
  }

  private pump(): void {
    if (this.over()) return;
    if (!this.deps.canSend()) return this.abandon();
    this.reader.maybeRead();
    if (this.state === "active") this.send();
    this.acks.arm();
    this.recorder.arm();
  }

  private send(): void {
    sendWindow(this.win, this.targets.all(), this.grant, this.now(), this.deps, (cursor, batch) => this.sendBatch(cursor, batch));
    this.recount();
  }

  private sendBatch(cursor: TargetCursor, batch: OutgoingMessage[]): void {
    cursor.sentUpTo = (batch[batch.length - 1] as OutgoingMessage).seq;
    const sentUpTo = cursor.sentUpTo;
    cursor.target.send(batch, this.unread, (fromSeq, toSeq) => this.onAck(fromSeq, toSeq, sentUpTo));
  }

  private onAck(fromSeq: bigint, toSeq: bigint, sentUpTo: bigint): void {
    if (this.state === "ended") return;
    const newly = this.win.ack(fromSeq, toSeq, sentUpTo);
    if (newly.length === 0) return;
    this.progressed = true;
    const now = this.now();
    for (const e of newly) this.deps.onAcked(e.m, now - e.sentAt);
    this.recount();
    this.pump();
  }

  /** For its reader. */
  windowRead(r: WindowRead): void {
    if (this.state === "ended") return;
    this.unread = newerStamp(this.unread, r.unread) as UnreadStamp;
    if (r.lastSeq > this.lastSeq) this.lastSeq = r.lastSeq;
    this.take(r.messages);
    if (r.skipTo !== null) {
      const skipped = this.win.skipTo(r.skipTo, r.skipId);
      if (skipped > 0) this.deps.onSkipped(skipped);
    }
    this.pump();
  }

  private armOffline(graceMs = this.deps.offlineGraceMs): void {
    clearTimeout(this.timers.offline);
    this.timers.offline = setTimeout(() => void this.decideOffline(), graceMs);
    this.timers.offline.unref();
  }

  /**
   * No socket of the uid here for a while: an instance holding one takes it over (one it already relays
   * to, or one the registry names), or, with none anywhere, it is released.
   */
  private async decideOffline(): Promise<void> {
    if (this.over() || this.targets.local() > 0) return;
    let to = this.targets.relayInstance();
    if (to === undefined) to = (await this.deps.locate(this.uid).catch(() => [] as string[]))[0];
    if (this.over() || this.targets.local() > 0) return;
    if (to !== undefined) this.end(HoldingEnd.transfer, to);
    else if (this.targets.size === 0) this.end(HoldingEnd.release);
  }

  private end(kind: HoldingEnd, to: string | null = null): void {
    if (this.over()) return;
    this.move("ending");
    this.clearTimers();
    const request = endRequestOf(kind, {
      position: this.position(),
      lease: this.lease,
      grant: this.grant,
      progressed: this.progressed,
      to,
      backoffMs: this.deps.backoffMs,
    });
    writeEnd(request, {
      end: this.deps.end,
      canSend: this.deps.canSend,
      done: (result) => this.finish(result, request),
      later: (retry) => {
        this.timers.retry = setTimeout(retry, 500);
        this.timers.retry.unref();
      },
    });
  }

  private finish(result: SessionEnd, request?: EndRequest): void {
    if (this.state === "ended") return; // abandoned while its end was being written: it ended then
    this.clearTimers();
    this.move("ended");
    this.targets.forgetAll();
    this.recount();
    this.deps.onEnd(this, result, request);
  }

  private clearTimers(): void {
    this.recorder.stop();
    this.acks.stop();
    this.reader.stop();
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.timers = {};
  }
}
