import { SignJWT } from "jose";
import { io, type Socket } from "socket.io-client";
import type { MessagePayload } from "../../server/protocol/message-payload.ts";
import { TEST_JWT_SECRET } from "./env.ts";

export async function signToken(uid: string, secret = TEST_JWT_SECRET, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(uid)
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

export interface TestClient {
  socket: Socket;
  uid: string;
  /** Every `message` event, redeliveries included, in arrival order. */
  received: MessagePayload[];
  /** Distinct ids in first-arrival order. */
  ids(): string[];
  /** Whether this client acks (default true); can change at any time. */
  acking: boolean;
  read(ids: string[]): Promise<unknown>;
  close(): void;
}

export interface ClientOptions {
  acking?: boolean;
  token?: string;
  transports?: ("websocket" | "polling")[];
  localAddress?: string;
  /** Reconnect automatically (default false: tests see disconnects). */
  reconnection?: boolean;
  /**
   * Called for every `message` event (after it is recorded in `received`) instead of the default
   * ack-at-once: the handler decides when (or whether) to call `ack`, e.g. after a delay.
   */
  onMessage?: (payload: MessagePayload, ack: () => void) => void;
  /** Ask for frames in the handshake (`messages` events, one ack each), as the client SDK does. */
  frames?: boolean;
}

/** A socket.io-client connected as `uid` (resolves on connect, rejects with the connect_error message). */
export async function connectClient(url: string, uid: string, options: ClientOptions = {}): Promise<TestClient> {
  const token = options.token ?? (await signToken(uid));
  const socket = io(url, {
    auth: { token, ...(options.frames ? { frames: true } : {}) },
    transports: options.transports ?? ["websocket"],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    forceNew: true,
  });
  const client: TestClient = {
    socket,
    uid,
    received: [],
    acking: options.acking ?? true,
    ids() {
      return [...new Set(client.received.map((m) => m.id))];
    },
    read: (ids) => socket.timeout(5000).emitWithAck("read", { ids }),
    close: () => socket.close(),
  };
  socket.on("message", (payload: MessagePayload, ack: () => void) => {
    client.received.push(payload);
    if (options.onMessage) options.onMessage(payload, ack);
    else if (client.acking) ack();
  });
  // A frame is acked once, after all its messages; with onMessage, when the handler acks its last one.
  socket.on("messages", (frame: { messages: MessagePayload[] }, ack: () => void) => {
    client.received.push(...frame.messages);
    if (options.onMessage) frame.messages.forEach((m, i) => options.onMessage!(m, i === frame.messages.length - 1 ? ack : () => {}));
    else if (client.acking) ack();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(err));
  });
  return client;
}
