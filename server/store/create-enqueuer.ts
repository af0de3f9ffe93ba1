import type { Logger } from "pino";
import { createBatcher } from "../lib/create-batcher.ts";
import { StoreUnavailableError } from "../errors/store-unavailable-error.ts";
import { insertMessages } from "./insert-messages.ts";
import type { NewMessage } from "./new-message.ts";
import type { Db } from "./prisma.ts";

export interface EnqueuerDeps {
  db: Db;
  logger: Logger;
  groupCommitMs: number;
  groupCommitMax: number;
  /** Called after a commit with how many messages it stored. */
  onStored: (count: number) => void;
}

export interface Enqueuer {
  /** Resolves with the ids (request order) once the messages are committed; rejects with a 503 error otherwise. */
  enqueue(messages: NewMessage[]): Promise<string[]>;
  /** Waits for commits in progress (shutdown). */
  drain(): Promise<void>;
}

type Outcome = string[] | { error: unknown };

/**
 * Group commit: requests arriving within `groupCommitMs` share one INSERT (one WAL flush). If a shared
 * insert fails, each request is retried alone so one request's failure is never another's.
 */
export function createEnqueuer(deps: EnqueuerDeps): Enqueuer {
  const insertOne = async (messages: NewMessage[]): Promise<Outcome> => {
    try {
      return await insertMessages(deps.db, messages);
    } catch (error) {
      return { error };
    }
  };

  const batcher = createBatcher<NewMessage[], Outcome>({
    maxItems: deps.groupCommitMax,
    maxDelayMs: deps.groupCommitMs,
    flush: async (requests) => {
      if (requests.length === 1) return [await insertOne(requests[0] as NewMessage[])];
      const flat = requests.flat();
      const all = await insertOne(flat);
      if (!Array.isArray(all)) return Promise.all(requests.map(insertOne));
      let at = 0;
      return requests.map((r) => all.slice(at, (at += r.length)));
    },
  });

  return {
    async enqueue(messages) {
      const outcome = await batcher.add(messages);
      if (!Array.isArray(outcome)) {
        deps.logger.warn({ err: outcome.error, count: messages.length }, "could not store messages");
        throw new StoreUnavailableError(outcome.error);
      }
      deps.onStored(outcome.length);
      return outcome;
    },
    drain: () => batcher.drain(),
  };
}
