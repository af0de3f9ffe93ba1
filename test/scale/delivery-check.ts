import assert from "node:assert/strict";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import type { MessagePayload } from "../../server/protocol/message-payload.ts";
import type { StreamResult } from "./publish-stream.ts";

export interface DeliveryReport {
  accepted: number;
  lost: number;
  /** Receipts beyond the first of an id. */
  duplicates: number;
  /** Duplicates that repeat an attempt already received (the transport, not the drainer, repeated it). */
  sameAttemptDuplicates: number;
  /** Delivered though the producer got no 2xx (stored, but the reply was lost): allowed. */
  unconfirmedDelivered: number;
  /** First receipts that overtook a message of the same uid accepted before they were even sent. */
  orderInversions: number;
}

/**
 * Waits until every accepted message has reached a client of its uid, then checks the receipts:
 * nothing lost, nothing foreign; duplicates are counted (and always carry the id of the original).
 */
export async function checkDelivery(
  stream: StreamResult,
  receivedBy: Map<string, () => MessagePayload[]>,
  timeoutMs: number,
): Promise<DeliveryReport> {
  const missing = () => [...stream.accepted].filter(([id, p]) => !receivedBy.get(p.uid)!().some((m) => m.id === id));
  await waitFor(() => missing().length === 0, "every accepted message to be received", timeoutMs, 100).catch(() => undefined);
  const lost = missing();
  const unconfirmedSeqs = new Set(stream.failed.map((f) => f.seq));
  let duplicates = 0;
  let unconfirmedDelivered = 0;
  let orderInversions = 0;
  let sameAttemptDuplicates = 0;
  for (const [uid, received] of receivedBy) {
    const seen = new Map<string, Set<number>>();
    const firsts: string[] = [];
    for (const m of received()) {
      const known = stream.accepted.get(m.id);
      const seq = (m.msg as { seq: number }).seq;
      if (known) {
        assert.equal(known.uid, uid, `message ${m.id} for ${known.uid} reached ${uid}`);
        assert.equal(known.seq, seq, `message ${m.id} carries another body`);
      } else {
        assert.ok(unconfirmedSeqs.has(seq), `${uid} got ${m.id} (seq ${seq}), never published`);
      }
      const attempts = seen.get(m.id);
      if (!attempts) {
        seen.set(m.id, new Set([m.attempt]));
        firsts.push(m.id);
        if (!known) unconfirmedDelivered++;
        continue;
      }
      duplicates++;
      if (attempts.has(m.attempt)) sameAttemptDuplicates++;
      attempts.add(m.attempt);
    }
    // An inversion: b arrived first although a was accepted (2xx received) before b was even sent.
    for (let i = 0; i < firsts.length; i++) {
      const b = stream.accepted.get(firsts[i]!);
      for (let j = i + 1; b && j < firsts.length; j++) {
        const a = stream.accepted.get(firsts[j]!);
        if (a?.repliedAt !== undefined && b.sentAt !== undefined && a.repliedAt < b.sentAt) {
          orderInversions++;
          break;
        }
      }
    }
  }
  return { accepted: stream.accepted.size, lost: lost.length, duplicates, sameAttemptDuplicates, unconfirmedDelivered, orderInversions };
}
