import type { EndRequest } from "../store/end-holdings.ts";
import type { HolderGrant } from "../store/holder-grant.ts";
import { toStreamMessages, type StreamMessage } from "../store/stream-message.ts";
import type { UnreadStamp } from "../store/unread-stamp.ts";
import type { WireGrant, WireMessage } from "./relay-notice.ts";

/** Messages as a notice carries them: the shape of a window read (one parser for both). */
export const toWireMessages = (messages: StreamMessage[]): WireMessage[] =>
  messages.map((m) => {
    const w: WireMessage = { id: String(m.id), seq: String(m.seq), type: m.msgType, ct: m.clientType, msg: m.msg, at: m.createdAt.toISOString(), b: m.bytes };
    if (m.topic !== undefined && m.publishId !== undefined) Object.assign(w, { topic: m.topic, pid: String(m.publishId) });
    return w;
  });

export const fromWireMessages = (messages: WireMessage[]): StreamMessage[] => toStreamMessages(messages);

/** A transferred holding as the receiver starts it: where the giver's end left it, under the new lease. */
export function toWireGrant(uid: string, after: { lease: bigint; lastSeq: bigint | null }, end: EndRequest, unread: UnreadStamp): WireGrant {
  return {
    uid,
    lease: String(after.lease),
    wakeSeq: String(end.wakeSeq),
    // what the giver sent and nobody acked may have reached a device: the receiver's copies count up
    attempts: end.attempt,
    failures: end.failures,
    retryUpto: String(end.sentSeq),
    ackedSeq: String(end.ackedSeq),
    ackedId: String(end.ackedId),
    lastSeq: String(after.lastSeq ?? end.ackedSeq),
    unread,
  };
}

export const fromWireGrant = (g: WireGrant): HolderGrant => ({
  uid: g.uid,
  lease: BigInt(g.lease),
  wakeSeq: BigInt(g.wakeSeq),
  attempts: g.attempts,
  failures: g.failures,
  retryUpto: BigInt(g.retryUpto),
  ackedSeq: BigInt(g.ackedSeq),
  ackedId: BigInt(g.ackedId),
  lastSeq: BigInt(g.lastSeq),
  unread: g.unread,
  messages: [],
});
