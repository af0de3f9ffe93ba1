interface BatcherOptions<T, R> {
  /** A batch holds at most this many items. */
  maxItems: number;
  /** A batch is flushed at most this long after its first item arrived (0 = next tick). */
  maxDelayMs: number;
  /**
   * Optional size of an item and the most one batch may hold: an item that would take the open batch
   * past `maxRows` or `maxBytes` starts the next batch (an item larger than the limits goes alone).
   */
  size?: (item: T) => { rows: number; bytes: number };
  maxRows?: number;
  maxBytes?: number;
  /**
   * Flushes running at once (default unlimited). While that many run, arrivals wait and join the next
   * batch, which is flushed as soon as one finishes: under load batches grow instead of flushes piling up.
   */
  maxConcurrent?: number;
  /** Handles one batch; must return one result per item, in order. A throw rejects every item of the batch. */
  flush: (items: T[]) => Promise<R[]>;
}

export interface Batcher<T, R> {
  add(item: T): Promise<R>;
  /** Flushes everything waiting and resolves when every flush started so far has finished. */
  drain(): Promise<void>;
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

interface Batch<T, R> {
  waiting: Waiting<T, R>[];
  rows: number;
  bytes: number;
  dueAt: number;
}

/** Group commit: concurrent callers share one flush (one round trip) within a few milliseconds. */
export function createBatcher<T, R>(options: BatcherOptions<T, R>): Batcher<T, R> {
  const maxRows = options.maxRows ?? Infinity;
  const maxBytes = options.maxBytes ?? Infinity;
  const maxConcurrent = options.maxConcurrent ?? Infinity;
  const batches: Batch<T, R>[] = [];
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let timerFor: Batch<T, R> | undefined;
  let forced = false;

  const full = (b: Batch<T, R>) => b.waiting.length >= options.maxItems || b.rows >= maxRows || b.bytes >= maxBytes;

  const start = (batch: Batch<T, R>) => {
    const run = options
      .flush(batch.waiting.map((w) => w.item))
      .then(
        (results) => batch.waiting.forEach((w, i) => w.resolve(results[i] as R)),
        (error: unknown) => batch.waiting.forEach((w) => w.reject(error)),
      )
      .then(() => {
        if (timerFor === batch) timerFor = undefined;
      })
      .finally(() => {
        running.delete(run);
        schedule();
      });
    running.add(run);
  };

  // A timer may fire a little before Date.now() reaches dueAt: whatever it finds, it re-arms.
  const onTimer = () => {
    timer = undefined;
    timerFor = undefined;
    schedule();
  };

  const schedule = () => {
    while (batches.length > 0 && running.size < maxConcurrent) {
      const head = batches[0] as Batch<T, R>;
      if (!(forced || full(head) || batches.length > 1 || Date.now() >= head.dueAt)) break;
      batches.shift();
      start(head);
    }
    const head = running.size < maxConcurrent ? batches[0] : undefined;
    if (head !== timerFor) {
      if (timer) clearTimeout(timer);
      timer = head ? setTimeout(onTimer, Math.max(0, head.dueAt - Date.now())) : undefined;
      timerFor = head;
    }
    if (batches.length === 0) forced = false;
  };

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        const size = options.size?.(item) ?? { rows: 0, bytes: 0 };
        let open = batches[batches.length - 1];
        const fits = open && !full(open) && open.rows + size.rows <= maxRows && open.bytes + size.bytes <= maxBytes;
        if (!open || !fits) {
          open = { waiting: [], rows: 0, bytes: 0, dueAt: Date.now() + options.maxDelayMs };
          batches.push(open);
        }
        open.waiting.push({ item, resolve, reject });
        open.rows += size.rows;
        open.bytes += size.bytes;
        schedule();
      });
    },
    async drain() {
      forced = true;
      schedule();
      while (running.size > 0 || batches.length > 0) {
        await Promise.allSettled([...running]);
        forced = batches.length > 0;
        schedule();
        if (running.size === 0 && batches.length > 0) await new Promise((r) => setTimeout(r, 1));
      }
    },
  };
}
