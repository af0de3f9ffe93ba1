/** Messages between the topic scenario's coordinator and its client workers (topic-client-worker.ts). */
import type { ClientProtocol, DeliveryCounters } from "./delivery-events.ts";
import type { ClientSpec } from "./ipc-messages.ts";
import type { SparseHistogram } from "./stats.ts";

export interface TopicWorkerConfig {
  workerIndex: number;
  /** the online clients of this worker; each uid is subscribed to `topic` */
  clients: ClientSpec[];
  topic: string;
  jwtSecret: string;
  connectRatePerSec: number;
  connectTimeoutMs: number;
  tickMs: number;
  protocol: ClientProtocol;
}

export type ToTopicWorker = { type: "init"; config: TopicWorkerConfig } | { type: "finish" };

export interface TopicWorkerProgress {
  workerIndex: number;
  connected: number;
  connectErrors: number;
  disconnects: number;
  /** publish id → clients of this worker that received it */
  receivedByPublish: Record<string, number>;
}

export interface PublishReceipts {
  publishId: string;
  /** clients of this worker that received it at least once */
  received: number;
  duplicates: number;
  /** publish (msg.t) → first receipt at each client, µs */
  latency: SparseHistogram;
  /** epoch ms of the first and the last first receipt */
  firstAt: number;
  lastAt: number;
  /** uids of this worker that never received it (the first few) */
  missingSample: string[];
}

export interface TopicWorkerFinal extends TopicWorkerProgress {
  clients: number;
  publishes: PublishReceipts[];
  /** payloads that were not a message of the topic with a publishId and msg.t */
  unexpected: number;
  acksSent: number;
  deliveries: DeliveryCounters;
  errorSample: string[];
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export type FromTopicWorker =
  | { type: "ready"; progress: TopicWorkerProgress }
  | { type: "tick"; progress: TopicWorkerProgress }
  | { type: "final"; final: TopicWorkerFinal };
