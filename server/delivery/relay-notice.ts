import type { MessagePayload } from "../protocol/message-payload.ts";
import type { WindowJsonEntry } from "../store/stream-message.ts";
import type { UnreadStamp } from "../store/unread-stamp.ts";

/** A message handed to its holder by the instance that accepted it: a window entry as the store reads it. */
export type WireMessage = WindowJsonEntry;

/** The starting point of a holding handed to another instance (a transfer). */
export interface WireGrant {
  uid: string;
  lease: string;
  wakeSeq: string;
  attempts: number;
  failures: number;
  retryUpto: string;
  ackedSeq: string;
  ackedId: string;
  lastSeq: string;
  unread: UnreadStamp;
}

/**
 * What instances tell each other about the uids they deliver (each instance hears on a channel of its own;
 * one channel between two instances is ordered). Every notice is an optimisation or a courtesy: losing
 * one costs latency (the periodic checks and ack timeouts catch up), never a message, never order.
 */
export type RelayNotice =
  /**
   * Messages accepted by the sender for uids the receiver holds; with tracing on, `tp` holds each one's
   * W3C traceparent (its accept span; "" where unknown), so the receiver's emit and ack spans join its trace.
   */
  | { t: "append"; uid: string; lease: string; first: string; unread: UnreadStamp; messages: WireMessage[]; tp?: string[] | undefined }
  /** The sender transferred a holding to the receiver. */
  | { t: "grant"; grant: WireGrant }
  /** The sender has sockets of a uid the receiver holds: send to them too (from the acked position). */
  | { t: "join"; uid: string }
  /** Answer to a join: the receiver does not hold the uid (the sender may take it). */
  | { t: "notHeld"; uid: string }
  /**
   * Messages of a uid the sender holds, for the receiver's sockets of it. Frames to one receiver are
   * numbered from 0; frame 0 starts at the acked position (a catch-up), each later one continues the one
   * before (seqs may skip: expired, cancelled or already acked messages are not sent).
   */
  | { t: "frame"; uid: string; lease: string; n: number; acked: string; unread?: UnreadStamp; messages: { seq: string; payload: MessagePayload }[] }
  /** The receiver's holder: sockets of the sender acked seqs `from..to` of the uid. */
  | { t: "ack"; uid: string; lease: string; from: string; to: string }
  /** The sender has no socket of the uid any more. */
  | { t: "leave"; uid: string }
  /** The sender stopped holding the uid: drop what is relayed for it. */
  | { t: "end"; uid: string; lease: string };

/** Sends notices to another instance (batched per tick). */
export interface RelayPort {
  send(to: string, notice: RelayNotice): void;
}
