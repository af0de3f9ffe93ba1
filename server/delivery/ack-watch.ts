import type { SessionDeps } from "./session-deps.ts";

/** What an ack watch reads of the holding it watches. */
export interface WatchedHolding {
  /** When the oldest message sent and not acked was sent (undefined: none). */
  oldestUnacked(): number | undefined;
  /** Only while this holds are acks waited for (offline, the grace decides instead). */
  watchingAcks(): boolean;
  /** Nothing was acked in time. */
  ackLate(): void;
}

/**
 * One timer watches the oldest message sent and not acked: when it fires it looks again (acks may have
 * moved the oldest on) and re-arms for the new oldest, or reports it late.
 */
export class AckWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly holding: WatchedHolding,
    private readonly deps: Pick<SessionDeps, "ackTimeoutMs" | "now">,
  ) {}

  arm(): void {
    const { holding, deps } = this;
    if (this.timer || !holding.watchingAcks()) return;
    const oldest = holding.oldestUnacked();
    if (oldest === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!holding.watchingAcks()) return;
      const first = holding.oldestUnacked();
      if (first !== undefined && this.now() - first >= deps.ackTimeoutMs) return holding.ackLate();
      this.arm();
    }, Math.max(1, oldest + deps.ackTimeoutMs - this.now()));
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}
