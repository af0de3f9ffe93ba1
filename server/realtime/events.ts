import type { Server } from "socket.io";
import type { MessagePayload } from "../protocol/message-payload.ts";

type AckCallback = (response?: unknown) => void;

interface ServerToClientEvents {
  message: (payload: MessagePayload, ack: AckCallback) => void;
}

interface ClientToServerEvents {
  read: (payload: unknown, ack?: (reply: { updated: number } | { error: { code: string; message: string } }) => void) => void;
}

type InterServerEvents = Record<string, never>;

interface SocketData {
  uid: string;
}

/** The hub's Socket.IO server, typed with the events above. */
export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
