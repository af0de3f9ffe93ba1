import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import type { SocketErrorCode } from "../errors/error-codes.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import { messageIdSchema as id } from "../protocol/parse-id.ts";
import { markRead, type ReadTarget } from "../store/inbox/mark-read.ts";
import { readSyncPage } from "../store/inbox/sync-page.ts";
import { unreadCounts } from "../store/inbox/unread-counts.ts";
import type { MessageRecord } from "../store/message-record.ts";
import { toMessageView } from "../store/message-view.ts";
import type { Db } from "../store/prisma.ts";
import type { InboxBroadcaster } from "./create-inbox-broadcaster.ts";
import type { ErrorReply, HubSocket, SyncMessage } from "./events.ts";
import { errorReply, replyForFailure } from "./socket-errors.ts";
import { createSocketQueues } from "./socket-queues.ts";
import { whenWritten } from "./write-buffer.ts";
import type { InboxSlots } from "./inbox-slots.ts";

const readSchema = z.strictObject({ ids: z.array(id).min(1).max(1000) });
const readUpToSchema = z.strictObject({ id });
// "0" is before every id: a device that has seen nothing may say so.
const since = z.union([z.literal("0").transform(() => 0n), id]);
const syncSchema = z.strictObject({ since: since.optional(), limit: z.number().int().min(1).max(500).default(100) });

const USAGE = {
  read: 'read expects {"ids": ["<id>", …]} (1–1000 ids)',
  readUpTo: 'readUpTo expects {"id": "<id>"}',
  sync: 'sync expects {"since"?: "<id>", "limit"?: 1–500}, or nothing',
} as const;
export type InboxEvent = keyof typeof USAGE;
export const INBOX_EVENTS = Object.keys(USAGE) as InboxEvent[];

/** Requests of one socket waiting for their turn; past this the socket is flooding and gets `rate_limited`. */
const MAX_QUEUED = 100;
const TOO_MANY_QUEUED = `${MAX_QUEUED} requests of this socket already wait; retry later`;

type Ack = (reply: unknown) => void;
type Request = { event: "sync"; since: bigint | null; limit: number } | { event: "read" | "readUpTo"; target: ReadTarget };

interface InboxHandlerDeps {
  /** The inbox pool (INBOX_POOL_SIZE): never the producers' connections. */
  db: Db;
  logger: Logger;
  metrics: Pick<Metrics, "inboxRequests">;
  broadcaster: InboxBroadcaster;
  /** INBOX_MAX_PER_UID, across instances when Redis is configured. */
  slots: InboxSlots;
  /** SYNC_PAGE_MAX_BYTES. */
  pageMaxBytes: number;
}

/**
 * The inbox events of a socket: `read`, `readUpTo` and `sync` about its own uid, each with an ack. A socket's
 * requests run one at a time, each once the socket has taken its previous replies, and those still
 * waiting when it disconnects are dropped. A uid runs at most INBOX_MAX_PER_UID of them at once over all
 * its sockets (`inbox_busy` beyond). Malformed payloads get an error ack, never a crash; a socket can only
 * read or mark its own uid's messages.
 */
export function createInboxHandlers(deps: InboxHandlerDeps) {
  const count = (event: InboxEvent, outcome: "ok" | "dropped" | SocketErrorCode) => deps.metrics.inboxRequests.inc({ event, outcome });
  const fail = (ack: Ack, event: InboxEvent, reply: ErrorReply) => {
    count(event, reply.error.code);
    ack(reply);
  };

  const queueOf = createSocketQueues({ maxQueued: MAX_QUEUED, ready: (socket) => whenWritten(socket.conn) });

  return (socket: HubSocket, event: InboxEvent, args: unknown[]): void => {
    // The ack comes last; with nothing before it (`emitWithAck("sync")`) there is no payload.
    const last = args[args.length - 1];
    const ack = typeof last === "function" ? (last as Ack) : undefined;
    const payload = ack && args.length === 1 ? undefined : args[0];
    if (event === "sync" && !ack) return; // a page nobody asked to hear is not read
    const reply = ack ?? (() => {});
    const request = parseRequest(event, payload);
    if (request === null) return fail(reply, event, errorReply("invalid_payload", USAGE[event]));
    if (!socket.connected) return count(event, "dropped");
    const uid = socket.data.uid;
    const queued = queueOf(socket).push(() => runLimited(uid, request, reply), () => count(event, "dropped"));
    if (!queued) fail(reply, event, errorReply("rate_limited", TOO_MANY_QUEUED));
  };

  async function runLimited(uid: string, request: Request, ack: Ack): Promise<void> {
    const slot = randomUUID();
    if (!(await deps.slots.acquire(uid, slot))) return fail(ack, request.event, errorReply("inbox_busy"));
    try {
      await run(uid, request, ack);
      count(request.event, "ok");
    } catch (err) {
      const { reply, unexpected } = replyForFailure(err);
      if (unexpected) deps.logger.error({ err, event: request.event }, "inbox request failed unexpectedly");
      else deps.logger.warn({ err, event: request.event }, "inbox request failed");
      fail(ack, request.event, reply);
    } finally {
      deps.slots.release(uid, slot);
    }
  }

  async function run(uid: string, request: Request, ack: Ack): Promise<void> {
    if (request.event === "sync") {
      const [page, unread] = await Promise.all([
        readSyncPage(deps.db, { uid, since: request.since, limit: request.limit, maxBytes: deps.pageMaxBytes }),
        unreadCounts(deps.db, [uid]).then((c) => c.get(uid) ?? 0),
      ]);
      return ack({ messages: page.messages.map(toSyncMessage), next: page.next, unread });
    }
    const { target } = request;
    const readAt = new Date();
    const result = await markRead(deps.db, uid, target);
    ack({ updated: result.ids.length });
    if (result.ids.length === 0) return;
    deps.broadcaster.readState(uid, "upTo" in target ? { upTo: String(target.upTo) } : { ids: result.ids.map(String) }, readAt);
    deps.broadcaster.unreadChanged(uid);
  }
}

/** Validated before it queues, so a malformed request costs neither a place in the queue nor a slot. */
function parseRequest(event: InboxEvent, payload: unknown): Request | null {
  if (event === "sync") {
    const p = syncSchema.safeParse(payload ?? {});
    return p.success ? { event, since: p.data.since ?? null, limit: p.data.limit } : null;
  }
  if (event === "read") {
    const p = readSchema.safeParse(payload);
    return p.success ? { event, target: { ids: p.data.ids } } : null;
  }
  const p = readUpToSchema.safeParse(payload);
  return p.success ? { event, target: { upTo: p.data.id } } : null;
}

/** The history view of a message, cut to what a device needs (sync leaves cancelled messages out). */
function toSyncMessage(m: MessageRecord): SyncMessage {
  const { id, type, clientType, msg, createdAt, status, readAt, topic, publishId } = toMessageView(m);
  const synced: SyncMessage = { id, type, clientType, msg, createdAt, status: status as SyncMessage["status"], readAt };
  return topic !== undefined && publishId !== undefined ? { ...synced, topic, publishId } : synced;
}
