import type { Logger } from "pino";
import type { HeldAppend } from "../store/accept-requests.ts";
import type { Db } from "../store/prisma.ts";
import { fanOutChunk } from "../store/topics/fan-out-chunk.ts";
import { pause, pauseAfterMs } from "./fan-out-pause.ts";
import { openPublishes, publishContent } from "../store/topics/publishes.ts";
import { heldTopicAppends, type TopicAppendRow } from "../store/topics/topic-appends.ts";

interface TopicFanOutDeps {
  db: Db;
  logger: Logger;
  /** Recipients per transaction. */
  chunk: number;
  /** The share of its time the fan-out writes (TOPIC_FANOUT_DUTY): it pauses between chunks to hold it. */
  duty?: number;
  /** Messages appended for held uids: handed to their holders (as an accept's are). */
  onHeld: (held: HeldAppend[]) => void;
  /** How often unfinished publishes are looked for (a crashed instance's, or one another instance left). */
  scanEveryMs?: number;
  /** Rows written, per chunk. */
  onFannedOut?: (rows: number) => void;
}

export interface TopicFanOut {
  start(): void;
  /** A publish was stored here: its fan-out starts now (any instance's scan would find it too). */
  published(id: bigint): void;
  /** Messages a subscription change appended (push_hub_topic_unsubscribe): their holders read them. */
  appended(rows: readonly TopicAppendRow[]): void;
  /** Finishes the chunk in progress and stops; what is left is resumed by a scan, here or elsewhere. */
  stop(): Promise<void>;
}

const SCAN_BATCH = 16;

/**
 * Runs the fan-out of stored publishes, one publish at a time per instance, chunk after chunk, until
 * each is done. Every chunk is its own transaction under the publish row's lock, so instances that pick
 * the same publish alternate chunks, and a crash resumes at the last committed cursor.
 */
export function createTopicFanOut(deps: TopicFanOutDeps): TopicFanOut {
  const queue = new Set<bigint>();
  let running: Promise<void> | undefined;
  let stopped = true;
  let scanTimer: NodeJS.Timeout | undefined;

  const fanOut = async (id: bigint): Promise<void> => {
    const content = await publishContent(deps.db, id);
    if (!content) return;
    while (!stopped) {
      const started = performance.now();
      const { status, fanned, held } = await fanOutChunk(deps.db, id, deps.chunk);
      if (fanned > 0) deps.onFannedOut?.(fanned);
      if (held.length > 0) deps.onHeld(heldTopicAppends(held, content));
      if (status !== "more") return;
      await pause(pauseAfterMs(performance.now() - started, deps.duty ?? 1));
    }
  };

  const work = async (): Promise<void> => {
    for (let id = first(queue); id !== undefined && !stopped; id = first(queue)) {
      try {
        await fanOut(id);
      } catch (error) {
        // Nothing of a failed chunk was committed: the next scan resumes the publish at its cursor.
        deps.logger.warn({ err: error, publishId: String(id) }, "topic fan-out chunk failed; resumed at the next scan");
      }
      queue.delete(id);
    }
  };

  const kick = (): void => {
    if (stopped || running) return;
    running = work().finally(() => {
      running = undefined;
      if (queue.size > 0) kick();
    });
  };

  const scan = async (): Promise<void> => {
    try {
      for (const id of await openPublishes(deps.db, SCAN_BATCH)) queue.add(id);
      kick();
    } catch (error) {
      deps.logger.debug({ err: error }, "could not look for unfinished topic publishes");
    }
  };

  return {
    start() {
      stopped = false;
      const every = deps.scanEveryMs ?? 1000;
      const loop = () => {
        scanTimer = setTimeout(() => void scan().finally(() => !stopped && loop()), every);
        scanTimer.unref();
      };
      void scan();
      loop();
    },
    published(id) {
      queue.add(id);
      kick();
    },
    appended(rows) {
      const held = heldTopicAppends(rows);
      if (held.length > 0) deps.onHeld(held);
    },
    async stop() {
      stopped = true;
      clearTimeout(scanTimer);
      await running;
    },
  };
}

const first = (s: Set<bigint>): bigint | undefined => s.values().next().value;
