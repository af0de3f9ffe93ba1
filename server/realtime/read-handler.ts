import type { Logger } from "pino";
import { z } from "zod";
import { parseId } from "../protocol/parse-id.ts";
import { markRead } from "../store/mark-read.ts";
import type { Db } from "../store/prisma.ts";

const readSchema = z.strictObject({
  ids: z.array(z.string()).min(1).max(1000),
});

type Reply = { updated: number } | { error: { code: string; message: string } };

/** Reads of one socket waiting for their turn; past this the socket is flooding and gets an error ack. */
const MAX_QUEUED_READS = 100;

/**
 * `read` {"ids":[...]} from a socket of `uid` → those of its own messages become read; ids of other
 * uids or unknown ids are simply not counted. Malformed payloads get an error ack, never a crash.
 */
export function createReadHandler(deps: { db: Db; logger: Logger }) {
  return (uid: string) => {
    // One socket's reads run one at a time: a flood of `read` cannot take the whole database pool.
    let tail: Promise<void> = Promise.resolve();
    let queued = 0;
    return (...args: unknown[]): Promise<void> => {
      const last = args[args.length - 1];
      if (queued >= MAX_QUEUED_READS) {
        if (typeof last === "function") last({ error: { code: "too_many_requests", message: "too many reads in progress; retry later" } });
        return Promise.resolve();
      }
      queued++;
      tail = tail.then(() => handle(uid, args)).catch(() => undefined).finally(() => void queued--);
      return tail;
    };
  };

  async function handle(uid: string, args: unknown[]): Promise<void> {
    const last = args[args.length - 1];
    const ack = typeof last === "function" ? (last as (reply: Reply) => void) : () => {};
    const parsed = readSchema.safeParse(args[0]);
    const ids = parsed.success ? parsed.data.ids.map(parseId) : [];
    if (!parsed.success || ids.some((id) => id === null)) {
      return ack({ error: { code: "invalid_payload", message: 'read expects {"ids": ["<id>", …]} (1–1000 ids)' } });
    }
    try {
      ack({ updated: await markRead(deps.db, uid, ids as bigint[]) });
    } catch (err) {
      deps.logger.warn({ err }, "could not mark messages read");
      ack({ error: { code: "store_unavailable", message: "could not record read state; retry" } });
    }
  }
}
