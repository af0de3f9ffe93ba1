import type { MessagePayload } from "../protocol/message-payload.ts";
import type { HolderGrant } from "../store/holder-grant.ts";
import type { OutgoingMessage } from "./delivery-target.ts";
import type { DeliveryWindow, WindowEntry } from "./delivery-window.ts";
import type { SessionDeps } from "./session-deps.ts";
import type { TargetCursor } from "./session-targets.ts";

export type SendDeps = Pick<SessionDeps, "batchMax" | "isCancelled" | "onSkipped" | "onFirstSend">;

/**
 * One pass of sending: every target gets what the window holds beyond what it was sent, in order, in
 * batches of at most `batchMax`. A message cancelled before it was first sent is dropped instead.
 */
export function sendWindow(
  win: DeliveryWindow,
  cursors: Iterable<TargetCursor>,
  grant: Pick<HolderGrant, "attempts" | "retryUpto">,
  now: number,
  deps: SendDeps,
  sendBatch: (cursor: TargetCursor, batch: OutgoingMessage[]) => void,
): void {
  for (const cursor of cursors) {
    let batch: OutgoingMessage[] = [];
    for (const e of win.sendable(cursor.sentUpTo)) {
      if (e.sentAt === 0 && deps.isCancelled(e.m.id)) {
        win.drop(e);
        deps.onSkipped(1);
        continue;
      }
      const attempt = attemptOf(e, now, grant);
      if (win.markSent(e, now)) deps.onFirstSend(e.m, attempt);
      batch.push({ seq: e.m.seq, payload: payloadOf(e, attempt) });
      if (batch.length === deps.batchMax) {
        sendBatch(cursor, batch);
        batch = [];
      }
    }
    if (batch.length > 0) sendBatch(cursor, batch);
  }
}

/**
 * A redelivery counts up: it may have reached a device before (an earlier holder's, or a target's in an
 * earlier pass; targets sent to in the same pass share one attempt).
 */
function attemptOf(e: WindowEntry, now: number, grant: Pick<HolderGrant, "attempts" | "retryUpto">): number {
  const base = e.m.seq <= grant.retryUpto ? grant.attempts + 1 : 1;
  return e.sentAt === 0 || e.sentAt === now ? base : base + 1;
}

/** The payload of a window entry for `attempt`, built once per attempt (every target of a pass shares it). */
function payloadOf(e: WindowEntry, attempt: number): MessagePayload {
  if (e.payload?.attempt === attempt) return e.payload;
  const m = e.m;
  const createdAt = e.payload?.createdAt ?? m.createdAt.toISOString();
  e.payload = { id: String(m.id), type: m.msgType, clientType: m.clientType, msg: m.msg, createdAt, attempt };
  if (m.topic !== undefined && m.publishId !== undefined) Object.assign(e.payload, { topic: m.topic, publishId: String(m.publishId) });
  return e.payload;
}
