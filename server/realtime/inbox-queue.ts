interface InboxQueueOptions {
  /** Requests waiting at most; past it `push` refuses. */
  maxQueued: number;
  /** Resolves when the socket may be given the next reply (its earlier replies went out), or it closed. */
  ready: () => Promise<void>;
}

/**
 * The inbox requests of one socket, run one at a time in arrival order. Closing it (the socket
 * disconnected) drops every request still waiting: nobody is left to hear their answers, and a client
 * that floods and reconnects must not leave work behind. A request already running finishes.
 */
export function createInboxQueue(o: InboxQueueOptions) {
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  let closed = false;
  return {
    /** Queues `run`; false when the queue is full or closed. `dropped` is called instead if it closes first. */
    push(run: () => Promise<void>, dropped: () => void = () => {}): boolean {
      if (closed || queued >= o.maxQueued) return false;
      queued++;
      tail = tail
        .then(async () => {
          if (!closed) await o.ready();
          if (closed) return dropped();
          await run();
        })
        .catch(() => undefined)
        .finally(() => void queued--);
      return true;
    },
    close(): void {
      closed = true;
    },
    /** Requests queued or running. */
    get size(): number {
      return queued;
    },
  };
}

export type InboxQueue = ReturnType<typeof createInboxQueue>;
