/**
 * How a load-test client receives messages, in either protocol: `message` events (one message
 * payload each, acked each) and `messages` frames (`{ messages: [payload, …], unread? }`, acked once
 * per frame with no arguments). A client asks for frames with `auth.frames: true`; it listens for
 * both events whatever it asked for, since a hub that does not know frames keeps sending `message`.
 */
import type { Socket } from "socket.io-client";

export const CLIENT_PROTOCOLS = ["frames", "message"] as const;
export type ClientProtocol = (typeof CLIENT_PROTOCOLS)[number];

export interface DeliveryCounters {
  /** `message` events */
  messageEvents: number;
  /** `messages` frames, and the message payloads they carried */
  frames: number;
  framedMessages: number;
  /** ack callbacks called (one per `message`, one per frame) */
  acksSent: number;
  /** events that came without an ack callback */
  noAckCallback: number;
  /** frames without a `messages` array */
  malformedFrames: number;
}

export const createDeliveryCounters = (): DeliveryCounters => ({
  messageEvents: 0, frames: 0, framedMessages: 0, acksSent: 0, noAckCallback: 0, malformedFrames: 0,
});

export function handshakeAuth(token: string, protocol: ClientProtocol): { token: string; frames?: true } {
  return protocol === "frames" ? { token, frames: true } : { token };
}

/** The message payloads of a `messages` frame, or null when it is not one. */
export function framePayloads(frame: unknown): unknown[] | null {
  const list = frame !== null && typeof frame === "object" ? (frame as { messages?: unknown }).messages : undefined;
  return Array.isArray(list) ? list : null;
}

/** Sums counters of several clients or workers. */
export function addCounters(into: DeliveryCounters, from: DeliveryCounters): DeliveryCounters {
  for (const k of Object.keys(into) as Array<keyof DeliveryCounters>) into[k] += from[k];
  return into;
}

/**
 * Acks first (as an app would, before its own work) and then hands every message payload to
 * `onPayload`, in the order received. A frame that is not one is acked, counted and reported.
 */
export function listenForDeliveries(
  socket: Socket,
  counters: DeliveryCounters,
  onPayload: (payload: unknown) => void,
  onMalformedFrame: (frame: unknown) => void,
): void {
  const ack = (fn: unknown) => {
    if (typeof fn !== "function") return void counters.noAckCallback++;
    (fn as () => void)();
    counters.acksSent++;
  };
  socket.on("message", (payload: unknown, fn: unknown) => {
    counters.messageEvents++;
    ack(fn);
    onPayload(payload);
  });
  socket.on("messages", (frame: unknown, fn: unknown) => {
    counters.frames++;
    ack(fn);
    const list = framePayloads(frame);
    if (list === null) {
      counters.malformedFrames++;
      onMalformedFrame(frame);
      return;
    }
    counters.framedMessages += list.length;
    for (const payload of list) onPayload(payload);
  });
}
