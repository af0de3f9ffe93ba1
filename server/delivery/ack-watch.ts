export interface AckWatchDeps {
  ackTimeoutMs: number;
  /** When the oldest message sent and not acked was sent (undefined: none). */
  oldestUnacked: () => number | undefined;
  /** Only while this holds are acks waited for (offline, the grace decides instead). */
  watching: () => boolean;
  /** Nothing was acked in time. */
  onLate: () => void;
  now: () => number;
}

/**
 * One timer watches the oldest message sent and not acked: when it fires it looks again (acks may have
 * moved the oldest on) and re-arms for the new oldest, or reports it late.
 */
export class AckWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: AckWatchDeps) {}

  arm(): void {
    if (this.timer || !this.deps.watching()) return;
    const oldest = this.deps.oldestUnacked();
    if (oldest === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.deps.watching()) return;
      const first = this.deps.oldestUnacked();
      if (first !== undefined && this.deps.now() - first >= this.deps.ackTimeoutMs) return this.deps.onLate();
      this.arm();
    }, Math.max(1, oldest + this.deps.ackTimeoutMs - this.deps.now()));
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
