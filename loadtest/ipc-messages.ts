import type { ClientProtocol, DeliveryCounters } from "./delivery-events.ts";
import type { SparseHistogram } from "./stats.ts";
import type { SparseSeries } from "./time-series.ts";

/** Messages between the coordinator (generator.ts) and its forked client / producer workers. */

export interface ClientSpec {
  uid: string;
  /** index of the uid in the run's uid list: message seq % uidCount === uidIndex */
  uidIndex: number;
  url: string;
  localAddress?: string;
  /** connects only after publishing stops, so its messages take the backlog path */
  late: boolean;
}

export interface ClientWorkerConfig {
  workerIndex: number;
  clients: ClientSpec[];
  uidCount: number;
  jwtSecret: string;
  /** epoch ms shared by every process of the run; series seconds count from here */
  t0: number;
  connectRatePerSec: number;
  connectTimeoutMs: number;
  maxSeq: number;
  tickMs: number;
  /** what the clients ask for in the handshake; they take both delivery events either way */
  protocol: ClientProtocol;
}

export type ToClientWorker =
  | { type: "init"; config: ClientWorkerConfig }
  | { type: "connect-late" }
  /** the producers' accepted bitmap, so the worker can count what it still waits for */
  | { type: "accepted"; bitmap: string }
  /** messages published before `at` (epoch ms) stay out of the latency figures (a warm-up) */
  | { type: "measure-from"; at: number }
  | { type: "finish" };

export interface ClientProgress {
  workerIndex: number;
  connected: number;
  connectErrors: number;
  disconnects: number;
  received: number;
  duplicates: number;
  /** accepted messages for this worker's uids not yet received; -1 until the bitmap arrived */
  outstanding: number;
  /** latencies (µs) received since the previous tick, for the live progress line */
  recent: SparseHistogram;
}

export interface ClientFinal {
  workerIndex: number;
  seen: string;
  connected: number;
  connectErrors: number;
  disconnects: number;
  received: number;
  duplicates: number;
  /** receipts whose seq the producers never saw accepted (e.g. the 202 was lost) */
  unexpected: number;
  /** receipts of a message addressed to another uid: must always be 0 */
  misrouted: number;
  acksSent: number;
  noAckCallback: number;
  /** delivery events by kind (delivery-events.ts) */
  deliveries: DeliveryCounters;
  lost: number;
  /** the part of `lost` addressed to late (backlog) clients */
  lostLate: number;
  lostSample: Array<{ seq: number; uid: string }>;
  latency: SparseHistogram;
  backlogLatency: SparseHistogram;
  series: SparseSeries;
  /** first receipts per second since t0 at clients connected from the start */
  receivedPerSecond: number[];
  /** first receipts per second since t0 at late (backlog) clients */
  backlogPerSecond: number[];
  connectTime: SparseHistogram;
  errorSample: string[];
  lateConnectStartedAt: number;
  lastLateReceiptAt: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export type FromClientWorker =
  | { type: "ready"; progress: ClientProgress }
  | { type: "tick"; progress: ClientProgress }
  | { type: "late-connected"; progress: ClientProgress }
  | { type: "final"; final: ClientFinal };

export interface ProducerConfig {
  producerIndex: number;
  producerCount: number;
  targets: string[];
  /** local addresses to spread requests over (nginx ip_hash would pin one address to one instance) */
  localAddresses: string[];
  apiKey: string;
  uids: string[];
  /** this producer's share of the rate, msgs/s */
  rate: number;
  durationSec: number;
  batchSize: number;
  maxInFlight: number;
  connectionsPerTarget: number;
  msgBytes: number;
  maxSeq: number;
  t0: number;
  tickMs: number;
}

export type ToProducer = { type: "init"; config: ProducerConfig } | { type: "start" } | { type: "stop" };

export interface ProducerProgress {
  producerIndex: number;
  sent: number;
  accepted: number;
  rejected: number;
  errors: number;
  inFlight: number;
}

export interface ProducerFinal extends ProducerProgress {
  acceptedBitmap: string;
  /** publish → 202, µs */
  httpLatency: SparseHistogram;
  sentPerSecond: number[];
  acceptedPerSecond: number[];
  rejectedByStatus: Record<string, number>;
  errorSample: string[];
  startedAt: number;
  stoppedAt: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export type FromProducer =
  | { type: "ready" }
  | { type: "tick"; progress: ProducerProgress }
  | { type: "done"; final: ProducerFinal };
