/**
 * Order / duplicate / missing accounting for one uid whose messages carry sequence numbers 0…n−1
 * and must arrive in that order, each exactly once. Pure.
 */
import { createBitmap, hasBit, inRange, setBit, type SeqBitmap } from "./seq-bitmap.ts";

export interface DrainTally {
  n: number;
  seen: SeqBitmap;
  /** first receipts */
  received: number;
  /** receipts of a sequence number already received */
  duplicates: number;
  /** first receipts of a sequence number lower than one received before it */
  outOfOrder: number;
  /** receipts without a sequence number in [0, n) */
  invalid: number;
  /** highest sequence number received so far (−1: none) */
  highest: number;
  firstAt: number;
  /** time of the latest first receipt */
  lastAt: number;
  outOfOrderSample: Array<{ seq: number; afterSeq: number }>;
}

export type ReceiptKind = "first" | "duplicate" | "invalid";

export function createDrainTally(n: number): DrainTally {
  return { n, seen: createBitmap(n), received: 0, duplicates: 0, outOfOrder: 0, invalid: 0, highest: -1, firstAt: 0, lastAt: 0, outOfOrderSample: [] };
}

export function recordReceipt(t: DrainTally, seq: unknown, at: number): ReceiptKind {
  if (typeof seq !== "number" || !inRange(t.seen, seq)) {
    t.invalid++;
    return "invalid";
  }
  if (hasBit(t.seen, seq)) {
    t.duplicates++;
    return "duplicate";
  }
  setBit(t.seen, seq);
  t.received++;
  if (t.received === 1) t.firstAt = at;
  t.lastAt = at;
  if (seq < t.highest) {
    t.outOfOrder++;
    if (t.outOfOrderSample.length < 20) t.outOfOrderSample.push({ seq, afterSeq: t.highest });
  } else t.highest = seq;
  return "first";
}

export function isComplete(t: DrainTally): boolean {
  return t.received === t.n;
}

/** How many of 0…n−1 never arrived, and the first few of them. */
export function missing(t: DrainTally, sampleSize = 20): { count: number; sample: number[] } {
  const sample: number[] = [];
  for (let s = 0; s < t.n && sample.length < sampleSize; s++) if (!hasBit(t.seen, s)) sample.push(s);
  return { count: t.n - t.received, sample };
}
