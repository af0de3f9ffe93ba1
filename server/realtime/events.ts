import type { Server } from "socket.io";
import type { MessagePayload } from "../protocol/message-payload.ts";


/** One message of a `sync` page: what the uid has, with its state. */
export interface SyncMessage {
  id: string;
  type: number;
  clientType: number;
  msg: unknown;
  createdAt: string;
  status: "queued" | "delivered" | "read" | "expired";
  readAt: string | null;
}

type AckCallback = (response?: unknown) => void;

export type ErrorReply = { error: { code: string; message: string } };
type ReadReply = { updated: number } | ErrorReply;
type SyncReply = { messages: SyncMessage[]; next: string | null; unread: number } | ErrorReply;

export interface ServerToClientEvents {
  message: (payload: MessagePayload, ack: AckCallback) => void;
  /** The uid's unread count: on connect, and whenever it changes (new message, read, cancel, expiry). */
  unread: (payload: { count: number }) => void;
  /** Messages of the uid marked read by any of its devices or by a producer. */
  readState: (payload: { ids?: string[]; upTo?: string; readAt: string }) => void;
}

export interface ClientToServerEvents {
  /** {"ids": [...]} → those of the uid's messages become read. */
  read: (payload: unknown, ack?: (reply: ReadReply) => void) => void;
  /** {"id"} → every message of the uid up to that id becomes read. */
  readUpTo: (payload: unknown, ack?: (reply: ReadReply) => void) => void;
  /** {"since"?, "limit"?} → the uid's messages after `since`, oldest first. */
  sync: (payload: unknown, ack?: (reply: SyncReply) => void) => void;
}

type InterServerEvents = Record<string, never>;

interface SocketData {
  uid: string;
}

/** The hub's Socket.IO server, typed with the events above. */
export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
