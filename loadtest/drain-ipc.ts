/** Messages between the backlog scenario's coordinator and its drain receiver (drain-receiver.ts). */
import type { ClientProtocol, DeliveryCounters } from "./delivery-events.ts";

export interface DrainReceiverConfig {
  url: string;
  uid: string;
  token: string;
  /** sequence numbers 0…n−1 are expected */
  n: number;
  /** epoch ms shared with the coordinator; per-second counts are seconds since it */
  t0: number;
  tickMs: number;
  connectTimeoutMs: number;
  /** what it asks for in the handshake; it takes both delivery events either way */
  protocol: ClientProtocol;
}

export type ToDrainReceiver = { type: "init"; config: DrainReceiverConfig } | { type: "connect" } | { type: "finish" };

export interface DrainProgress {
  received: number;
  duplicates: number;
  outOfOrder: number;
  connected: boolean;
}

export interface DrainFinal extends DrainProgress {
  invalid: number;
  missing: number;
  missingSample: number[];
  outOfOrderSample: Array<{ seq: number; afterSeq: number }>;
  /** epoch ms: io() called, first "connect", first and last first receipt (0 = never) */
  connectStartAt: number;
  connectedAt: number;
  firstAt: number;
  lastAt: number;
  /** first receipts per second since t0 */
  perSecond: number[];
  /** receipts whose payload said attempt > 1 */
  redelivered: number;
  acksSent: number;
  noAckCallback: number;
  /** delivery events by kind (delivery-events.ts) */
  deliveries: DeliveryCounters;
  connectErrors: number;
  disconnects: number;
  errorSample: string[];
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export type FromDrainReceiver =
  | { type: "ready" }
  | { type: "connected"; connectStartAt: number; connectedAt: number }
  | { type: "tick"; progress: DrainProgress }
  | { type: "complete"; at: number }
  | { type: "final"; final: DrainFinal };
