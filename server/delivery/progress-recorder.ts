import type { Position } from "../store/record-positions.ts";

export interface ProgressRecorderDeps {
  /** At most one record this often. */
  recordMs: number;
  record: (position: Position) => Promise<void>;
  ackedSeq: () => bigint;
  /** Where the holding stands now (undefined: it is over, nothing more to record). */
  position: () => Position | undefined;
  now: () => number;
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
    private readonly deps: ProgressRecorderDeps,
  ) {
    this.lastAt = deps.now();
  }

  /** The highest acked seq known to be recorded. */
  get recordedSeq(): bigint {
    return this.recorded;
  }

  arm(): void {
    if (this.stopped || this.timer || this.deps.ackedSeq() <= this.recorded) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const position = this.deps.position();
      if (!position) return;
      this.lastAt = this.deps.now();
      this.deps.record(position).then(
        () => {
          if (position.ackedSeq > this.recorded) this.recorded = position.ackedSeq;
          this.arm();
        },
        () => this.arm(),
      );
    }, Math.max(1, this.lastAt + this.deps.recordMs - this.deps.now()));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
