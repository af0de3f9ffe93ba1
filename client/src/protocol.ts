/**
 * The hub's Socket.IO protocol as this SDK speaks it (default namespace, path /socket.io): the wire
 * payloads, the typed event maps for the Socket.IO client, and guards for what arrives from the network.
 */
import { isMessageId } from "./message-ids.ts";

/** `{"error": {...}}`: how the hub answers a request it cannot serve. */
export interface HubErrorReply {
  error: { code: string; message: string };
}

/** What every message carries, live or synced. */
export interface MessageFields {
  id: string;
  type: number;
  clientType: number;
  msg: unknown;
  createdAt: string;
  /** A topic message's topic and the id of its publish (the same for every recipient); absent on direct messages. */
  topic?: string;
  publishId?: string;
}

/** server → client `message`: one delivery attempt; the client acks it or it is delivered again. */
export interface MessagePayload extends MessageFields {
  /** 1 on the first attempt; higher means a redelivery. */
  attempt: number;
}

export type MessageStatus = "queued" | "delivered" | "read" | "expired";

/** One message of a `sync` page. */
export interface SyncMessage extends MessageFields {
  status: MessageStatus;
  readAt: string | null;
}

/** client → server `sync`: the uid's messages with id > `since`, oldest first. */
export interface SyncRequest {
  since?: string;
  /** 1–500; the hub's default is 100. */
  limit?: number;
}

export interface SyncPage {
  messages: SyncMessage[];
  /** Pass as `since` for the next page; null when there is none. */
  next: string | null;
  /** The uid's unread count when the page was read. */
  unread: number;
}

export interface ReadReply {
  updated: number;
}

/** server → client `readState`: messages marked read by any device or by the producer. */
export interface ReadStateEvent {
  /** These ids were marked read… */
  ids?: string[];
  /** …or every message with id ≤ `upTo`. */
  upTo?: string;
  readAt: string;
}

/**
 * The uid's unread count; `total` (messages it was ever given) and `cleared` (no longer unread) are the
 * two counters it is made of. Both only grow, so the largest of each seen is the newest count.
 */
export interface UnreadPayload {
  count: number;
  total?: number;
  cleared?: number;
}

/** server → client `messages` (a frame, for clients that asked for frames): messages in order, one ack. */
export interface FramePayload {
  messages: MessagePayload[];
  unread?: UnreadPayload;
}

/** A topic name: 1–128 characters of A–Z a–z 0–9 _ - . : (`:` separates segments). */
export const TOPIC_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** server → client `live`: a volatile event of a topic the uid is subscribed to (at most once, never stored). */
export interface LivePayload {
  topic: string;
  event: string;
  data: unknown;
}

/** The reply to `subscribe` / `unsubscribe` `{"topic"}`: the uid's subscription to it now. */
export interface SubscribeReply {
  topic: string;
  subscribed: boolean;
}

export interface ServerToClientEvents {
  message: (payload: MessagePayload, ack: () => void) => void;
  messages: (payload: FramePayload, ack: () => void) => void;
  unread: (payload: UnreadPayload) => void;
  readState: (payload: ReadStateEvent) => void;
  live: (payload: LivePayload) => void;
}

export interface ClientToServerEvents {
  sync: (request: SyncRequest, ack: (reply: SyncPage | HubErrorReply) => void) => void;
  read: (request: { ids: string[] }, ack: (reply: ReadReply | HubErrorReply) => void) => void;
  readUpTo: (request: { id: string }, ack: (reply: ReadReply | HubErrorReply) => void) => void;
  subscribe: (request: { topic: string }, ack: (reply: SubscribeReply | HubErrorReply) => void) => void;
  unsubscribe: (request: { topic: string }, ack: (reply: SubscribeReply | HubErrorReply) => void) => void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

export function isErrorReply(v: unknown): v is HubErrorReply {
  return isObject(v) && isObject(v.error) && typeof v.error.code === "string";
}

const hasMessageFields = (v: unknown): v is Record<string, unknown> & MessageFields =>
  isObject(v) && isMessageId(v.id) && typeof v.type === "number" && typeof v.clientType === "number" && typeof v.createdAt === "string" &&
  (v.topic === undefined || (typeof v.topic === "string" && isMessageId(v.publishId)));

export function isMessagePayload(v: unknown): v is MessagePayload {
  return hasMessageFields(v) && typeof v.attempt === "number";
}

const STATUSES: readonly unknown[] = ["queued", "delivered", "read", "expired"] satisfies MessageStatus[];

export function isSyncMessage(v: unknown): v is SyncMessage {
  return hasMessageFields(v) && STATUSES.includes(v.status) && (v.readAt === null || typeof v.readAt === "string");
}

export function isSyncPage(v: unknown): v is SyncPage {
  return (
    isObject(v) &&
    Array.isArray(v.messages) &&
    v.messages.every(isSyncMessage) &&
    (v.next === null || isMessageId(v.next)) &&
    isCount(v.unread)
  );
}

export function isLivePayload(v: unknown): v is LivePayload {
  return isObject(v) && typeof v.topic === "string" && typeof v.event === "string" && "data" in v;
}

export function isSubscribeReply(v: unknown): v is SubscribeReply {
  return isObject(v) && typeof v.topic === "string" && typeof v.subscribed === "boolean";
}

export function isReadReply(v: unknown): v is ReadReply {
  return isObject(v) && isCount(v.updated);
}

export function isUnreadPayload(v: unknown): v is UnreadPayload {
  return isObject(v) && isCount(v.count) && (v.total === undefined || isCount(v.total)) && (v.cleared === undefined || isCount(v.cleared));
}

export function isFramePayload(v: unknown): v is FramePayload {
  return isObject(v) && Array.isArray(v.messages) && (v.unread === undefined || isUnreadPayload(v.unread));
}

export function isReadStateEvent(v: unknown): v is ReadStateEvent {
  return (
    isObject(v) &&
    typeof v.readAt === "string" &&
    (v.ids === undefined || (Array.isArray(v.ids) && v.ids.every(isMessageId))) &&
    (v.upTo === undefined || isMessageId(v.upTo)) &&
    (v.ids !== undefined || v.upTo !== undefined)
  );
}
