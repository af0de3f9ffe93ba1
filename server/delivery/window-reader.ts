import type { ReadFrom, WindowRead } from "../store/read-windows.ts";
import type { DeliveryWindow } from "./delivery-window.ts";

export interface WindowReaderDeps {
  uid: string;
  window: number;
  read: (from: ReadFrom) => Promise<WindowRead | undefined>;
  /** The uid's last seq as its holding knows it. */
  headSeq: () => bigint;
  onRead: (r: WindowRead) => void;
  /** The store did not answer: called again shortly. */
  onRetry: () => void;
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
    private readonly deps: WindowReaderDeps,
  ) {}

  maybeRead(): void {
    const { win, deps } = this;
    if (this.reading || this.stopped || deps.headSeq() <= win.fetchedSeq) return;
    if (win.unsentInWindow() >= deps.window / 2 || win.size >= 2 * deps.window) return;
    this.reading = true;
    void deps
      .read({ uid: deps.uid, afterId: win.fetchedId, afterSeq: win.fetchedSeq })
      .catch(() => undefined)
      .then((r) => {
        this.reading = false;
        if (r) return deps.onRead(r);
        if (this.stopped) return;
        clearTimeout(this.retry);
        this.retry = setTimeout(deps.onRetry, 200);
        this.retry.unref();
      });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }
}
