import assert from "node:assert/strict";
import { test } from "node:test";
import type { StreamMessage } from "../store/stream-message.ts";
import { DeliveryWindow, type WindowEntry } from "./delivery-window.ts";

/** Message `seq` with id seq·10. */
const m = (seq: number, bytes = 10): StreamMessage => ({
  id: BigInt(seq * 10),
  seq: BigInt(seq),
  msgType: 4,
  clientType: 0,
  msg: { seq },
  createdAt: new Date(0),
  bytes,
});
const windowAt = (ackedSeq: number, limits = { window: 16, windowBytes: 1 << 20 }) =>
  new DeliveryWindow({ ackedSeq: BigInt(ackedSeq), ackedId: BigInt(ackedSeq * 10) }, limits);
const seqs = (entries: WindowEntry[]) => entries.map((e) => Number(e.m.seq));
const position = (w: DeliveryWindow) => [Number(w.ackedSeq), Number(w.ackedId)];
const sendAll = (w: DeliveryWindow, at = 1) => w.entries.forEach((e) => w.markSent(e, at));

test("take appends what follows what is held, ignores older messages and counts the seqs passed over", () => {
  const w = windowAt(2);
  assert.equal(w.take([m(1), m(2), m(3), m(5)]), 1, "seq 4 was passed over");
  assert.deepEqual(seqs(w.entries), [3, 5]);
  assert.deepEqual([w.fetchedSeq, w.fetchedId], [5n, 50n]);
  assert.equal(w.take([m(5), m(6)]), 0);
  assert.deepEqual(seqs(w.entries), [3, 5, 6]);
});

test("acks move the position over a contiguous run of acked entries only", () => {
  const w = windowAt(0);
  w.take([m(1), m(2), m(3)]);
  sendAll(w);
  assert.deepEqual(seqs(w.ack(2n, 2n, 3n)), [2]);
  assert.deepEqual(position(w), [0, 0], "1 is not acked: the position stays before it");
  assert.deepEqual(seqs(w.ack(1n, 1n, 3n)), [1]);
  assert.deepEqual(position(w), [2, 20]);
  assert.deepEqual(seqs(w.entries), [3]);
});

test("an ack covers only what was sent to the target that acked (seqs up to its sentUpTo)", () => {
  const w = windowAt(0);
  w.take([m(1), m(2), m(3)]);
  assert.deepEqual(seqs(w.ack(1n, 3n, 1n)), [1]);
  assert.deepEqual(position(w), [1, 10]);
});

test("an ack repeated, or of entries already passed, acks nothing new", () => {
  const w = windowAt(0);
  w.take([m(1), m(2)]);
  w.ack(1n, 1n, 2n);
  assert.deepEqual(w.ack(1n, 1n, 2n), []);
  assert.deepEqual(position(w), [1, 10]);
});

test("a dropped entry (cancelled unsent) lets the position pass it", () => {
  const w = windowAt(0);
  w.take([m(1), m(2)]);
  w.drop(w.entries[0]!);
  assert.deepEqual(position(w), [1, 10]);
  assert.deepEqual(seqs(w.entries), [2]);
});

test("skipTo on an empty window moves the position at once, to the newest id given", () => {
  const w = windowAt(2);
  assert.equal(w.skipTo(5n, 55n), 3);
  assert.deepEqual(position(w), [5, 55]);
  assert.deepEqual([w.fetchedSeq, w.fetchedId], [5n, 55n]);
});

test("skipTo behind held entries moves the position past the skipped seqs once those entries are acked", () => {
  const w = windowAt(0);
  w.take([m(1)]);
  assert.equal(w.skipTo(4n, 40n), 3);
  assert.deepEqual(position(w), [0, 0], "1 is still out");
  w.ack(1n, 1n, 1n);
  assert.deepEqual(position(w), [4, 40]);
});

test("skipTo to a seq already held passes over nothing, and without an id keeps the fetched id", () => {
  const w = windowAt(0);
  w.take([m(1), m(2)]);
  assert.equal(w.skipTo(2n, 99n), 0);
  assert.equal(w.fetchedId, 20n);
  assert.equal(w.skipTo(3n, null), 1);
  assert.deepEqual([w.fetchedSeq, w.fetchedId], [3n, 20n]);
});

test("sendable answers, per cursor, the unacked entries after it inside a window of `window` entries", () => {
  const w = windowAt(0, { window: 3, windowBytes: 1 << 20 });
  w.take([m(1), m(2), m(3), m(4), m(5)]);
  assert.deepEqual(seqs(w.sendable(0n)), [1, 2, 3]);
  assert.deepEqual(seqs(w.sendable(2n)), [3]);
  assert.deepEqual(seqs(w.sendable(3n)), []);
  w.ack(2n, 2n, 3n);
  assert.deepEqual(seqs(w.sendable(0n)), [1, 3], "acked entries are not sent again");
  w.ack(1n, 1n, 3n);
  assert.deepEqual(seqs(w.sendable(3n)), [4, 5], "the window slides with the position");
});

test("the byte window: the first entry always fits, and it ends before the entry that would exceed windowBytes", () => {
  const big = windowAt(0, { window: 16, windowBytes: 100 });
  big.take([m(1, 150), m(2, 10)]);
  assert.deepEqual(seqs(big.sendable(0n)), [1]);
  const w = windowAt(0, { window: 16, windowBytes: 100 });
  w.take([m(1, 60), m(2, 40), m(3, 1)]);
  assert.deepEqual(seqs(w.sendable(0n)), [1, 2], "60 + 40 fits exactly; one byte more does not");
});

test("unsentInWindow counts the window's entries nobody was sent yet", () => {
  const w = windowAt(0, { window: 3, windowBytes: 1 << 20 });
  w.take([m(1), m(2), m(3), m(4)]);
  assert.equal(w.unsentInWindow(), 3);
  w.markSent(w.entries[0]!, 1);
  assert.equal(w.unsentInWindow(), 2);
});

test("markSent tells a first send, restarts the wait for an ack on a re-send, and keeps the highest seq sent", () => {
  const w = windowAt(0);
  w.take([m(1), m(2)]);
  assert.equal(w.markSent(w.entries[1]!, 100), true);
  assert.equal(w.markSent(w.entries[1]!, 200), false, "a second send is not a first send");
  assert.equal(w.entries[1]!.sentAt, 200, "a re-send (to a target that joined) gets its own ack timeout");
  w.markSent(w.entries[0]!, 300);
  assert.equal(w.sentSeq, 2n, "sentSeq never goes back");
});

test("oldestUnacked is the earliest send time among sent, unacked entries", () => {
  const w = windowAt(0);
  w.take([m(1), m(2), m(3)]);
  assert.equal(w.oldestUnacked(), undefined, "nothing sent");
  w.markSent(w.entries[1]!, 50);
  w.markSent(w.entries[0]!, 70);
  assert.equal(w.oldestUnacked(), 50);
  w.ack(2n, 2n, 2n);
  assert.equal(w.oldestUnacked(), 70);
  w.ack(1n, 1n, 2n);
  assert.equal(w.oldestUnacked(), undefined, "what is left was never sent");
});
