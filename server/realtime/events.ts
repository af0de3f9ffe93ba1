import type { Server } from "socket.io";
import type { MessagePayload } from "../protocol/message-payload.ts";

export type AckCallback = (response?: unknown) => void;

export interface ServerToClientEvents {
  message: (payload: MessagePayload, ack: AckCallback) => void;
}

export interface ClientToServerEvents {
  read: (payload: unknown, ack?: (reply: { updated: number } | { error: { code: string; message: string } }) => void) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  uid: string;
}

/** The hub's Socket.IO server, typed with the events above. */
export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
