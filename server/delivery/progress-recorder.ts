import type { Position } from "../store/record-positions.ts";
import type { SessionDeps } from "./session-deps.ts";

/** What a recorder reads of the holding it records. */
export interface RecordedHolding {
  readonly ackedSeq: bigint;
  /** Where it stands now (undefined: it is over, nothing more to record). */
  recordable(): Position | undefined;
}

/**
 * Records a holding's acked progress while it goes on: at most every `recordMs`, only when the acked
 * position moved past what was recorded. (Its end records the final position itself.)
 */
export class ProgressRecorder {
  private timer: NodeJS.Timeout | undefined;
  private lastAt: number;
  private stopped = false;

  constructor(
    private recorded: bigint,
    private readonly holding: RecordedHolding,
    private readonly deps: Pick<SessionDeps, "recordMs" | "record" | "now">,
  ) {
    this.lastAt = this.now();
  }

  /** The highest acked seq known to be recorded. */
  get recordedSeq(): bigint {
    return this.recorded;
  }

  arm(): void {
    if (this.stopped || this.timer || this.holding.ackedSeq <= this.recorded) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const position = this.holding.recordable();
      if (!position) return;
      this.lastAt = this.now();
      this.deps.record(position).then(
        () => {
          if (position.ackedSeq > this.recorded) this.recorded = position.ackedSeq;
          this.arm();
        },
        () => this.arm(),
      );
    }, Math.max(1, this.lastAt + this.deps.recordMs - this.now()));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}
