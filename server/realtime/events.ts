import type { Server, Socket } from "socket.io";
import type { SocketErrorCode } from "../errors/error-codes.ts";
import type {
  FramePayload,
  LivePayload,
  MessagePayload,
  ReadStateEvent,
  SubscribeReply,
  SyncMessage,
  UnreadPayload,
} from "../protocol/message-payload.ts";

export type { LivePayload, SyncMessage, UnreadPayload };

type AckCallback = (response?: unknown) => void;

export type ErrorReply = { error: { code: SocketErrorCode; message: string } };
type ReadReply = { updated: number } | ErrorReply;
type SyncReply = { messages: SyncMessage[]; next: string | null; unread: number } | ErrorReply;

export interface ServerToClientEvents {
  message: (payload: MessagePayload, ack: AckCallback) => void;
  /** Frames (sockets that asked for them): the ready messages of a window in one event, one ack for all. */
  messages: (payload: FramePayload, ack: AckCallback) => void;
  /** The uid's unread count: on connect, and whenever it changes (new message, read, cancel, expiry). */
  unread: (payload: UnreadPayload) => void;
  /** Messages of the uid marked read by any of its devices or by a producer. */
  readState: (payload: ReadStateEvent) => void;
  /** A live event of a topic the uid is subscribed to. */
  live: (payload: LivePayload) => void;
}

export interface ClientToServerEvents {
  /** {"ids": [...]} → those of the uid's messages become read. */
  read: (payload: unknown, ack?: (reply: ReadReply) => void) => void;
  /** {"id"} → every message of the uid up to that id becomes read. */
  readUpTo: (payload: unknown, ack?: (reply: ReadReply) => void) => void;
  /** {"since"?, "limit"?} → the uid's messages after `since`, oldest first. */
  sync: (payload: unknown, ack?: (reply: SyncReply) => void) => void;
  /** {"topic"} → the uid is subscribed (where its token's `topics` patterns allow it). */
  subscribe: (payload: unknown, ack?: (reply: SubscribeReply | ErrorReply) => void) => void;
  unsubscribe: (payload: unknown, ack?: (reply: SubscribeReply | ErrorReply) => void) => void;
}

type InterServerEvents = Record<string, never>;

interface SocketData {
  uid: string;
  /** Topic patterns its token allows it to subscribe to itself (the `topics` claim); none without it. */
  topics: readonly string[];
  /** The rooms of its uid's topics, read while it connected. */
  topicRooms: string[];
  /** It asked for frames in its handshake (`auth.frames: true`). */
  frames: boolean;
}

/** The hub's Socket.IO server, typed with the events above. */
export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** One socket of the hub's Socket.IO server. */
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
