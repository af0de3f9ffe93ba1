// A holding's sending side: order per target, acks, records, cancelled messages, appends and reads.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { FakeTarget, msg, msgs, sessionHarness, settle } from "../../test/support/fake-session-deps.ts";

const stamp = (total: number) => ({ total, cleared: 0 });

test("every target gets the window in ascending order, and the rest as acks move it on", async () => {
  const h = sessionHarness({ log: msgs(1, 6), deps: { window: 2 } });
  const a = new FakeTarget("a");
  const b = new FakeTarget("b");
  h.session.start([a, b]);
  await waitFor(() => a.seqs.length === 2, "the first window");
  assert.deepEqual([a.seqs, b.seqs], [[1, 2], [1, 2]], "no more than the window is out");
  for (let i = 0; i < 20 && a.seqs.length < 6; i++) {
    a.ackAll();
    await settle();
  }
  assert.deepEqual(a.seqs, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(b.seqs, [1, 2, 3, 4, 5, 6], "a target that never acks still gets each message once, in order");
  a.ackAll();
  assert.equal(h.session.ackedSeq, 6n);
});

test("a target added mid-window is first sent everything not yet acked, then what follows", async () => {
  const h = sessionHarness({ log: msgs(1, 4) });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 4, "the window");
  a.ack(1, 2);
  const b = new FakeTarget("b");
  h.session.addTarget(b);
  assert.deepEqual(b.seqs, [3, 4]);
  h.log.push(msg(5));
  h.session.append(5n, [msg(5)], stamp(5));
  assert.deepEqual(a.seqs, [1, 2, 3, 4, 5]);
  assert.deepEqual(b.seqs, [3, 4, 5]);
});

test("a target joining again under the same key starts over from the acked position; the old one is forgotten", async () => {
  const h = sessionHarness({ log: msgs(1, 3) });
  const first = new FakeTarget("a");
  h.session.start([first]);
  await waitFor(() => first.seqs.length === 3, "the window");
  first.ack(1, 1);
  const again = new FakeTarget("a");
  h.session.addTarget(again);
  assert.equal(first.forgotten, 1);
  assert.deepEqual(again.seqs, [2, 3]);
});

test("acks from any target move the position", async () => {
  const h = sessionHarness({ log: msgs(1, 3) });
  const a = new FakeTarget("a");
  const b = new FakeTarget("b");
  h.session.start([a, b]);
  await waitFor(() => b.seqs.length === 3, "the window");
  b.ack(1, 2);
  assert.equal(h.session.ackedSeq, 2n);
  a.ack(3, 3);
  assert.equal(h.session.ackedSeq, 3n);
});

test("a record is written once recordMs has passed, with the range acked since the last one", async () => {
  const h = sessionHarness({ log: msgs(1, 3), deps: { recordMs: 200 } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 3, "the window");
  a.ack(1, 2);
  await sleep(50);
  assert.equal(h.records.length, 0, "not before recordMs");
  await waitFor(() => h.records.length === 1, "a record");
  assert.deepEqual(h.records[0], { uid: "u", firstSeq: 1n, ackedSeq: 2n, ackedId: 20n, sentSeq: 3n, attempt: 1, retryUpto: 0n });
  a.ack(3, 3);
  await waitFor(() => h.records.length === 2, "the next record");
  assert.deepEqual([h.records[1]?.firstSeq, h.records[1]?.ackedSeq], [3n, 3n]);
});

test("nothing is recorded while nothing was acked", async () => {
  const h = sessionHarness({ log: msgs(1, 2), deps: { recordMs: 10 } });
  h.session.start([new FakeTarget("a")]);
  await sleep(60);
  assert.deepEqual(h.records, []);
});

test("a message cancelled after it was read is dropped unsent, and the position passes it", async () => {
  const h = sessionHarness({ log: msgs(1, 3) });
  h.cancelled.add(20n);
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 2, "the window");
  assert.deepEqual(a.seqs, [1, 3]);
  assert.equal(h.skipped, 1);
  a.ackAll();
  assert.equal(h.session.ackedSeq, 3n);
});

test("appends that continue what it holds are sent without a read; a gap makes it read from the store", async () => {
  const h = sessionHarness({ log: msgs(1, 2), grant: { messages: msgs(1, 2) } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  assert.deepEqual(a.seqs, [1, 2], "the grant's window");
  h.log.push(msg(3));
  h.session.append(3n, [msg(3)], stamp(3));
  assert.deepEqual(a.seqs, [1, 2, 3]);
  a.ackAll();
  await settle();
  assert.deepEqual(h.reads, []);
  h.log.push(msg(4), msg(5));
  h.session.append(5n, [msg(5)], stamp(5));
  await waitFor(() => a.seqs.length === 5, "the gap read");
  assert.deepEqual(h.reads, [{ uid: "u", afterId: 30n, afterSeq: 3n }]);
  assert.deepEqual(a.seqs, [1, 2, 3, 4, 5]);
});

test("a read that finds nothing deliverable up to the head lets the position pass to it", async () => {
  const h = sessionHarness({ log: msgs(1, 3) });
  for (const seq of [2, 3]) h.expired.add(seq);
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => h.reads.length === 2, "the read after the window");
  await settle();
  assert.deepEqual(a.seqs, [1]);
  assert.equal(h.session.ackedSeq, 0n, "1 is still out");
  a.ack(1, 1);
  assert.equal(h.session.ackedSeq, 3n);
  assert.equal(h.skipped, 2);
});

test("a redelivery of what a previous holder may have sent goes out as the next attempt", async () => {
  const h = sessionHarness({ log: msgs(1, 3), grant: { attempts: 2, retryUpto: 2n } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 3, "the window");
  assert.deepEqual(a.batches.flatMap((b) => b.attempts), [3, 3, 1]);
});
