import type { Server } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, MessagePayload, ServerToClientEvents, SocketData } from "../realtime/events.ts";
import { userRoom } from "../realtime/rooms.ts";
import type { ClaimedMessage } from "../store/claimed-message.ts";
import { classify, type Outcome } from "./outcome.ts";

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export function toPayload(m: ClaimedMessage): MessagePayload {
  return {
    id: String(m.id),
    type: m.msgType,
    clientType: m.clientType,
    msg: m.msg,
    createdAt: m.createdAt.toISOString(),
    attempt: m.attempts,
  };
}

/**
 * Emits one attempt to every socket of the uid, on any instance (through the adapter), and resolves
 * with how it ended. Never rejects.
 */
export function createMessageEmitter(io: HubServer, ackTimeoutMs: number, adapterReady: () => boolean = () => true) {
  return (message: ClaimedMessage): Promise<Outcome> =>
    new Promise((resolve) => {
      try {
        io.to(userRoom(message.toUid))
          .timeout(ackTimeoutMs)
          .emit("message", toPayload(message), (err: Error | null, responses: unknown[]) => {
            const outcome = classify(err, Array.isArray(responses) ? responses : []);
            // With the adapter's Redis away, an empty room may only mean "could not ask": retry, don't park.
            resolve(outcome === "offline" && !adapterReady() ? "timeout" : outcome);
          });
      } catch {
        resolve("timeout"); // e.g. the adapter's Redis is down: try again later
      }
    });
}

export type MessageEmitter = ReturnType<typeof createMessageEmitter>;
