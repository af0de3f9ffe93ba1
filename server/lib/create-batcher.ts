export interface BatcherOptions<T, R> {
  /** Flush as soon as this many items wait. */
  maxItems: number;
  /** Flush at most this long after the first waiting item (0 = next tick). */
  maxDelayMs: number;
  /** Handles one batch; must return one result per item, in order. A throw rejects every item of the batch. */
  flush: (items: T[]) => Promise<R[]>;
}

export interface Batcher<T, R> {
  add(item: T): Promise<R>;
  /** Flushes what waits now and resolves when every flush started so far has finished. */
  drain(): Promise<void>;
  readonly pending: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/** Group commit: concurrent callers share one flush (one round trip) within a few milliseconds. */
export function createBatcher<T, R>(options: BatcherOptions<T, R>): Batcher<T, R> {
  let queue: Waiting<T, R>[] = [];
  let timer: NodeJS.Timeout | undefined;
  const running = new Set<Promise<void>>();

  const flushNow = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    const run = options
      .flush(batch.map((w) => w.item))
      .then(
        (results) => batch.forEach((w, i) => w.resolve(results[i] as R)),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => running.delete(run));
    running.add(run);
  };

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (queue.length >= options.maxItems) flushNow();
        else if (!timer) timer = setTimeout(flushNow, options.maxDelayMs);
      });
    },
    async drain() {
      flushNow();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    get pending() {
      return queue.length;
    },
  };
}
