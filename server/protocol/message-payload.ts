/**
 * The payloads of the hub's Socket.IO protocol are defined once, by the client SDK (client/src/protocol.ts),
 * and used by both sides: what the hub sends is exactly what the SDK checks for.
 */
export type {
  FramePayload,
  LivePayload,
  MessagePayload,
  ReadStateEvent,
  SubscribeReply,
  SyncMessage,
  UnreadPayload,
} from "../../client/src/protocol.ts";
