import type { WindowRead } from "../store/read-windows.ts";
import type { DeliveryWindow } from "./delivery-window.ts";
import type { SessionDeps } from "./session-deps.ts";

/** What a reader reads for, and tells. */
export interface ReadingHolding {
  readonly uid: string;
  /** The uid's last seq as its holding knows it. */
  readonly knownHead: bigint;
  windowRead(r: WindowRead): void;
  /** The store did not answer: called again shortly. */
  readFailed(): void;
}

/**
 * Reads a holding's stream from the store when its window runs low and the uid has more than was
 * fetched: one read at a time, from where the last one ended.
 */
export class WindowReader {
  private reading = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly win: DeliveryWindow,
    private readonly holding: ReadingHolding,
    private readonly deps: Pick<SessionDeps, "window" | "read">,
  ) {}

  maybeRead(): void {
    const { win, holding, deps } = this;
    if (this.reading || this.stopped || holding.knownHead <= win.fetchedSeq) return;
    if (win.unsentInWindow() >= deps.window / 2 || win.size >= 2 * deps.window) return;
    this.reading = true;
    void deps
      .read({ uid: holding.uid, afterId: win.fetchedId, afterSeq: win.fetchedSeq })
      .catch(() => undefined)
      .then((r) => {
        this.reading = false;
        if (r) return holding.windowRead(r);
        if (this.stopped) return;
        clearTimeout(this.retry);
        this.retry = setTimeout(() => holding.readFailed(), 200);
        this.retry.unref();
      });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }
}
