import type { MessagePayload } from "../protocol/message-payload.ts";
import type { UnreadStamp } from "../store/unread-stamp.ts";

/** One message on its way to a target: its payload and its position in the uid's stream. */
export interface OutgoingMessage {
  seq: bigint;
  payload: MessagePayload;
}

/** The target confirmed messages `fromSeq..toSeq` of a batch it was sent (all of them, or the one). */
export type AckListener = (fromSeq: bigint, toSeq: bigint) => void;

/**
 * Something a holder sends a uid's messages to, over one ordered channel: a socket of the uid on this
 * instance, or another instance that holds sockets of the uid (it relays to them). Batches arrive in the
 * order they are sent. A target acks what reached a device; it may ack a batch at once (a frame) or
 * message by message (a plain Socket.IO client).
 */
export interface DeliveryTarget {
  /** Unique among the uid's targets: the socket id, or `relay:<instance>`. */
  readonly key: string;
  /** The instance a relay target sends to (undefined: a socket on this instance). */
  readonly instance?: string;
  /** Sends `batch` (ascending seqs) and, where the target takes it, the uid's unread stamp. */
  send(batch: OutgoingMessage[], unread: UnreadStamp | undefined, onAck: AckListener): void;
  /** The holder stopped waiting for acks (it ended or timed out): let go of any callbacks kept for them. */
  forget(): void;
}
