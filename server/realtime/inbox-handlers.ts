import type { Logger } from "pino";
import { z } from "zod";
import { messageIdSchema as id } from "../protocol/parse-id.ts";
import { markRead, type ReadTarget } from "../store/inbox/mark-read.ts";
import { syncMessages } from "../store/inbox/sync-messages.ts";
import { unreadCounts } from "../store/inbox/unread-counts.ts";
import type { MessageRecord } from "../store/message-record.ts";
import { toMessageView } from "../store/message-view.ts";
import type { Db } from "../store/prisma.ts";
import type { InboxBroadcaster } from "./create-inbox-broadcaster.ts";
import type { ErrorReply, SyncMessage } from "./events.ts";

const readSchema = z.strictObject({ ids: z.array(id).min(1).max(1000) });
const readUpToSchema = z.strictObject({ id });
// "0" is before every id: a device that has seen nothing may say so.
const since = z.union([z.literal("0").transform(() => 0n), id]);
const syncSchema = z.strictObject({ since: since.optional(), limit: z.number().int().min(1).max(500).default(100) });

const USAGE = {
  read: 'read expects {"ids": ["<id>", …]} (1–1000 ids)',
  readUpTo: 'readUpTo expects {"id": "<id>"}',
  sync: 'sync expects {"since"?: "<id>", "limit"?: 1–500}',
} as const;
export type InboxEvent = keyof typeof USAGE;
export const INBOX_EVENTS = Object.keys(USAGE) as InboxEvent[];

/** Requests of one socket waiting for their turn; past this the socket is flooding and gets an error ack. */
const MAX_QUEUED = 100;

interface InboxHandlerDeps {
  db: Db;
  logger: Logger;
  broadcaster: InboxBroadcaster;
}

/**
 * The inbox events of one socket of `uid`: `read`, `readUpTo` and `sync`, each with an ack. They run one
 * at a time per socket, so a flood cannot take the database pool. Malformed payloads get an error ack,
 * never a crash; a socket can only read or mark its own uid's messages.
 */
export function createInboxHandlers(deps: InboxHandlerDeps) {
  return (uid: string): Record<InboxEvent, (...args: unknown[]) => Promise<void>> => {
    let tail: Promise<void> = Promise.resolve();
    let queued = 0;
    const queue = (event: InboxEvent) => (...args: unknown[]): Promise<void> => {
      const last = args[args.length - 1];
      const ack = typeof last === "function" ? (last as (reply: unknown) => void) : () => {};
      if (queued >= MAX_QUEUED) {
        ack(errorReply("too_many_requests", "too many requests in progress; retry later"));
        return Promise.resolve();
      }
      queued++;
      tail = tail
        .then(() => handle(uid, event, args[0], ack))
        .catch(() => undefined)
        .finally(() => void queued--);
      return tail;
    };
    return { read: queue("read"), readUpTo: queue("readUpTo"), sync: queue("sync") };
  };

  async function handle(uid: string, event: InboxEvent, payload: unknown, ack: (reply: unknown) => void): Promise<void> {
    try {
      if (event === "sync") {
        const q = syncSchema.safeParse(payload ?? {});
        if (!q.success) return ack(errorReply("invalid_payload", USAGE.sync));
        const [page, unread] = await Promise.all([
          syncMessages(deps.db, { uid, since: q.data.since ?? null, limit: q.data.limit }),
          unreadCounts(deps.db, [uid]).then((c) => c.get(uid) ?? 0),
        ]);
        return ack({ messages: page.messages.map(toSyncMessage), next: page.next, unread });
      }
      const target = readTarget(event, payload);
      if (target === null) return ack(errorReply("invalid_payload", USAGE[event]));
      const readAt = new Date();
      const result = await markRead(deps.db, uid, target);
      ack({ updated: result.ids.length });
      if (result.ids.length === 0) return;
      deps.broadcaster.readState(uid, "upTo" in target ? { upTo: String(target.upTo) } : { ids: result.ids.map(String) }, readAt);
      deps.broadcaster.unreadChanged(uid, result.unread);
    } catch (err) {
      deps.logger.warn({ err, event }, "inbox request failed");
      ack(errorReply("store_unavailable", "could not reach the message store; retry"));
    }
  }
}

function readTarget(event: "read" | "readUpTo", payload: unknown): ReadTarget | null {
  if (event === "read") {
    const p = readSchema.safeParse(payload);
    return p.success ? { ids: p.data.ids } : null;
  }
  const p = readUpToSchema.safeParse(payload);
  return p.success ? { upTo: p.data.id } : null;
}

const errorReply = (code: string, message: string): ErrorReply => ({ error: { code, message } });

/** The history view of a message, cut to what a device needs (sync leaves cancelled messages out). */
function toSyncMessage(m: MessageRecord): SyncMessage {
  const { id, type, clientType, msg, createdAt, status, readAt } = toMessageView(m);
  return { id, type, clientType, msg, createdAt, status: status as SyncMessage["status"], readAt };
}
