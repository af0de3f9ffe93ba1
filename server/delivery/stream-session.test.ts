import assert from "node:assert/strict";
import { test } from "node:test";
import type { MessagePayload } from "../protocol/message-payload.ts";
import { End, type Advance, type AdvanceResult } from "../store/advance-streams.ts";
import type { ClaimedStream } from "../store/claim-streams.ts";
import type { StreamMessage } from "../store/stream-message.ts";
import type { EmitOutcome } from "./room-emitter.ts";
import { createStreamSession, type SessionDeps } from "./stream-session.ts";

const msg = (seq: number): StreamMessage => ({
  id: BigInt(1000 + seq),
  seq: BigInt(seq),
  msgType: 4,
  clientType: 0,
  msg: { seq },
  createdAt: new Date(0),
  bytes: 10,
});
const claimed = (over: Partial<ClaimedStream> = {}): ClaimedStream => ({
  uid: "u",
  lease: 7n,
  attempts: 0,
  failures: 0,
  retryUpto: 0n,
  wakeSeq: 3n,
  ackedSeq: 0n,
  lastSeq: 3n,
  messages: [msg(1), msg(2), msg(3)],
  ...over,
});
const tick = () => new Promise((r) => setImmediate(r));

/** A session whose emits and reports the test answers by hand. */
function harness(start: ClaimedStream, over: Partial<SessionDeps> = {}) {
  const emits: { payload: MessagePayload; settle: (o: EmitOutcome) => void }[] = [];
  const reports: { entry: Advance; answer: (r: Partial<AdvanceResult> & { state: AdvanceResult["state"] }) => void }[] = [];
  const ended: string[] = [];
  let held = 0;
  const session = createStreamSession(start, {
    window: 2,
    windowBytes: 1_000_000,
    leaseMs: 60_000,
    leaseSafetyMs: 1000,
    lingerMs: 0,
    recordMs: 60_000,
    emit: (_uid, payload) => new Promise((settle) => emits.push({ payload, settle })),
    isCancelled: () => false,
    report: (entry) =>
      new Promise((resolve) =>
        reports.push({
          entry,
          answer: (r) => resolve({ uid: entry.uid, lastSeq: null, skipTo: null, leaseLeftMs: 60_000, messages: [], ...r }),
        }),
      ),
    backoffMs: (f) => 1000 * f,
    onOutcome: () => undefined,
    onSkipped: () => undefined,
    onHeld: (d) => (held += d),
    onEnd: (_s, state) => ended.push(state),
    ...over,
  });
  return { session, emits, reports, ended, held: () => held };
}

test("sends in order, never more than the window unacked; acks move the position contiguously", async () => {
  const h = harness(claimed());
  h.session.start();
  assert.deepEqual(h.emits.map((e) => e.payload.id), ["1001", "1002"], "window of 2");
  h.emits[1]!.settle("acked"); // out of order: the position cannot pass 1
  await tick();
  assert.equal(h.emits.length, 2, "the head is still unacked: nothing new goes out");
  h.emits[0]!.settle("acked");
  await tick();
  assert.deepEqual(h.emits.map((e) => e.payload.id), ["1001", "1002", "1003"]);
  h.emits[2]!.settle("acked");
  await tick();
  const release = h.reports.at(-1)!.entry;
  assert.equal(release.end, End.release);
  assert.equal(release.ackedSeq, 3n);
  assert.equal(release.ackedId, 1003n);
  assert.equal(release.sentSeq, 3n);
  h.reports.at(-1)!.answer({ state: "released", lastSeq: 3n });
  await tick();
  assert.deepEqual(h.ended, ["released"]);
  assert.equal(h.held(), 0);
});

test("a message cancelled after it was read is dropped unsent; the window moves on to the next", async () => {
  let skipped = 0;
  const h = harness(claimed(), { isCancelled: (id) => id === 1002n, onSkipped: (n) => (skipped += n) });
  h.session.start();
  assert.deepEqual(h.emits.map((e) => e.payload.id), ["1001", "1003"], "1002 never goes out");
  assert.equal(skipped, 1);
  h.emits[0]!.settle("acked");
  h.emits[1]!.settle("acked");
  await tick();
  assert.equal(h.held(), 0, "nothing is held for it");
});

test("redeliveries carry the next attempt number; first sends carry 1", async () => {
  const h = harness(claimed({ attempts: 2, retryUpto: 1n }));
  h.session.start();
  assert.deepEqual(h.emits.map((e) => e.payload.attempt), [3, 1]);
});

test("an empty room parks (with the wake_seq seen at the claim); no ack backs off", async () => {
  const park = harness(claimed());
  park.session.start();
  park.emits[0]!.settle("acked");
  park.emits[1]!.settle("offline");
  await tick();
  assert.equal(park.reports.length, 0, "the end waits for every emit in flight to settle");
  assert.equal(park.emits.length, 3, "message 3 went out before the empty room was seen");
  park.emits[2]!.settle("offline");
  await tick();
  const entry = park.reports.at(-1)!.entry;
  assert.equal(entry.end, End.park);
  assert.equal(entry.wakeSeq, 3n);
  assert.equal(entry.ackedSeq, 1n, "what was acked before is recorded with the park");

  const slow = harness(claimed({ failures: 2 }));
  slow.session.start();
  slow.emits[0]!.settle("timeout");
  slow.emits[1]!.settle("offline");
  await tick();
  const backoff = slow.reports.at(-1)!.entry;
  assert.equal(backoff.end, End.backOff, "a timeout wins over an empty room");
  assert.equal(backoff.delayMs, 3000, "failures + 1");
});

test("a lease found lost ends the session without further sends", async () => {
  const h = harness(claimed({ messages: [msg(1)], lastSeq: 5n }));
  h.session.start();
  await tick();
  const read = h.reports.at(-1)!;
  assert.equal(read.entry.end, End.keep);
  assert.equal(read.entry.fetchAfter, 1001n, "reads after what it holds");
  read.answer({ state: "lost" });
  await tick();
  assert.deepEqual(h.ended, ["lost"]);
  h.emits[0]!.settle("acked");
  await tick();
  assert.equal(h.emits.length, 1);
});

test("messages handed over in order are sent; one arriving ahead of an earlier one waits for it", async () => {
  const h = harness(claimed({ messages: [msg(1)], lastSeq: 1n }), { lingerMs: 60_000, window: 10 });
  h.session.start();
  h.session.append(4n, [msg(4)]); // ahead: 2 and 3 are a moment behind
  await tick();
  assert.deepEqual(h.emits.map((e) => e.payload.id), ["1001"]);
  h.session.append(2n, [msg(2), msg(3)]);
  await tick();
  assert.deepEqual(h.emits.map((e) => e.payload.id), ["1001", "1002", "1003", "1004"]);
  assert.equal(h.reports.length, 0, "nothing had to be read from the database");
});

test("a read that finds nothing deliverable skips to skipTo instead of reading again", async () => {
  let skipped = 0;
  const h = harness(claimed({ messages: [msg(1)], lastSeq: 4n }), { onSkipped: (n) => (skipped += n), window: 10 });
  h.session.start();
  await tick();
  h.reports.at(-1)!.answer({ state: "held", lastSeq: 4n, skipTo: 4n });
  await tick();
  assert.equal(skipped, 3);
  h.emits[0]!.settle("acked");
  await tick();
  assert.equal(h.reports.at(-1)!.entry.end, End.release, "caught up: releases rather than reading again");
});

test("acked progress is reported at most every recordMs while the delivery goes on", async () => {
  const h = harness(claimed(), { recordMs: 0 });
  h.session.start();
  h.emits[0]!.settle("acked");
  await tick();
  const keep = h.reports.at(-1)!;
  assert.equal(keep.entry.end, End.keep);
  assert.equal(keep.entry.ackedSeq, 1n);
  h.emits[1]!.settle("acked");
  await tick();
  assert.equal(h.reports.length, 1, "one report in flight at a time");
  keep.answer({ state: "held" });
  await tick();
  await tick();
  assert.equal(h.reports.length, 2);
  assert.equal(h.reports[1]!.entry.ackedSeq, 2n);
});
