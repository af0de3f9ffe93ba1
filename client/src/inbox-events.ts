import type { HubClientError } from "./hub-client-error.ts";
import type { LivePayload, MessageStatus, ReadStateEvent } from "./protocol.ts";

/** Fields every message has, however it arrived. `M` is the app's `msg` type (unchecked). */
interface BaseMessage<M> {
  /** Decimal string; compare with `compareIds`, never as a Number. */
  id: string;
  type: number;
  clientType: number;
  msg: M;
  createdAt: string;
  /** A topic message: its topic, and its publish's id (the same for every recipient; `id` is this uid's own). */
  topic?: string;
  publishId?: string;
}

/** Pushed by the hub as it was delivered. */
export interface LiveMessage<M = unknown> extends BaseMessage<M> {
  source: "live";
  /** 1 on the first delivery attempt; higher when the hub delivered it again. */
  attempt: number;
}

/** Read from the hub's log while catching up after a (re)connect. */
export interface SyncedMessage<M = unknown> extends BaseMessage<M> {
  source: "sync";
  status: MessageStatus;
  readAt: string | null;
}

export type InboxMessage<M = unknown> = LiveMessage<M> | SyncedMessage<M>;

/**
 * - `connecting`: opening the connection or retrying;
 * - `connected`: handshake accepted; messages flow;
 * - `disconnected`: no connection (socket.io or the SDK retries unless the inbox was closed);
 * - `unauthorized`: the hub refused the token; the SDK asks for a new one and retries with backoff.
 */
export type InboxStatus = "connecting" | "connected" | "disconnected" | "unauthorized";

/** The inbox's events: event name → what its listeners receive. */
export interface InboxEvents<M = unknown> {
  /** Each message once, deduped across redeliveries, sync and reconnects. */
  message: InboxMessage<M>;
  /** The uid's unread count, whenever it changes. */
  unread: number;
  /** Messages marked read by any device or the producer. */
  readState: ReadStateEvent;
  /** A live event of a topic the uid is subscribed to (at most once; nothing is stored or acked). */
  live: LivePayload;
  status: InboxStatus;
  error: HubClientError;
}

/** One page of the uid's message log, as returned by `inbox.sync()`. */
export interface InboxPage<M = unknown> {
  messages: SyncedMessage<M>[];
  /** Pass as `since` for the next page; null when there is none. */
  next: string | null;
  unread: number;
}
