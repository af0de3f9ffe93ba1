// How a holding ends: ack timeouts, the last local target leaving, lapses, and the state moves on the way.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { FakeTarget, msgs, sessionHarness } from "../../test/support/fake-session-deps.ts";
import type { EndResult } from "../store/end-holdings.ts";
import { canMove, SessionStateError, type SessionState } from "./session-state.ts";

test("no ack within ackTimeoutMs ends the holding in backoff with its position, failures one more than the grant's", async () => {
  const h = sessionHarness({ log: msgs(1, 3), grant: { failures: 2 }, deps: { ackTimeoutMs: 30 } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 3, "the window");
  h.clock.t += 30;
  const { result, request } = await h.ended();
  assert.equal(result.state, "backoff");
  assert.deepEqual(
    { end: request?.end, lease: request?.lease, wakeSeq: request?.wakeSeq, failures: request?.failures, delayMs: request?.delayMs },
    { end: "backoff", lease: 7n, wakeSeq: 3n, failures: 3, delayMs: 3000 },
  );
  assert.deepEqual([request?.firstSeq, request?.ackedSeq, request?.sentSeq], [1n, 0n, 3n]);
  assert.equal(h.timeouts, 1);
  assert.equal(a.forgotten, 1, "its targets stop waiting for acks");
  assert.equal(h.session.current, "ended");
});

test("an ack in time keeps the holding: the timer then watches the oldest message still unacked", async () => {
  const h = sessionHarness({ log: msgs(1, 2), grant: { failures: 2 }, deps: { ackTimeoutMs: 30, window: 1 } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 1, "the first message");
  h.clock.t += 20;
  a.ack(1, 1);
  await waitFor(() => a.seqs.length === 2, "2, read after the ack, going out at +20");
  h.clock.t += 15;
  await sleep(100);
  assert.deepEqual(h.endings, [], "2 has waited 15 ms of 30");
  h.clock.t += 15;
  const { request } = await h.ended();
  assert.deepEqual([request?.end, request?.ackedSeq, request?.failures], ["backoff", 1n, 1], "progress resets failures to 1");
});

test("the last local target leaving: after the grace the uid is transferred to an instance it relays to", async () => {
  const h = sessionHarness({ log: msgs(1, 2), deps: { offlineGraceMs: 20 } });
  h.located.push("hub-3");
  const a = new FakeTarget("a");
  const relay = new FakeTarget("relay:hub-2", "hub-2");
  h.session.start([a, relay]);
  h.session.removeTarget("a");
  assert.equal(h.session.current, "active", "the relay target is still a target");
  const { result, request } = await h.ended();
  assert.deepEqual([request?.end, request?.to], ["transfer", "hub-2"]);
  assert.deepEqual([result.state, result.lease], ["transferred", 8n]);
});

test("the last target leaving: after the grace the uid is transferred to the instance locate names", async () => {
  const h = sessionHarness({ log: msgs(1, 2), deps: { offlineGraceMs: 20 } });
  h.located.push("hub-3");
  h.session.start([new FakeTarget("a")]);
  h.session.removeTarget("a");
  assert.equal(h.session.current, "offline");
  const { request } = await h.ended();
  assert.deepEqual([request?.end, request?.to], ["transfer", "hub-3"]);
});

test("the last target leaving with no socket of the uid anywhere: after the grace the uid is released", async () => {
  const h = sessionHarness({ log: msgs(1, 2), deps: { offlineGraceMs: 20 } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 2, "the window");
  a.ack(1, 1);
  h.session.removeTarget("a");
  const { result, request } = await h.ended();
  assert.deepEqual([request?.end, request?.to, request?.ackedSeq, request?.wakeSeq], ["release", null, 1n, 3n]);
  assert.equal(result.state, "parked");
});

test("a local target coming back within the grace keeps the holding, and gets what is unacked", async () => {
  const h = sessionHarness({ log: msgs(1, 2), deps: { offlineGraceMs: 30 } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 2, "the window");
  h.session.removeTarget("a");
  const back = new FakeTarget("b");
  h.session.addTarget(back);
  await sleep(100);
  assert.deepEqual(h.endings, []);
  assert.equal(h.session.current, "active");
  assert.deepEqual(back.seqs, [1, 2]);
});

test("a holding started with no target (a claim) moves on at once", async () => {
  const h = sessionHarness({ log: msgs(1, 2) });
  h.located.push("hub-4");
  h.session.start([], 0);
  const { request } = await h.ended();
  assert.deepEqual([request?.end, request?.to], ["transfer", "hub-4"]);
});

test("an end the store did not answer is tried again", async () => {
  const h = sessionHarness({ log: msgs(1, 1), deps: { offlineGraceMs: 0 } });
  const answer = h.answerEnd;
  h.answerEnd = async (r) => (h.ends.length === 1 ? undefined : answer(r));
  h.session.start([]);
  const { result } = await h.ended();
  assert.equal(result.state, "parked");
  assert.equal(h.ends.length, 2);
});

test("once this instance cannot send, the holding ends as lapsed without writing anything", async () => {
  const h = sessionHarness({ log: msgs(1, 2), deps: { recordMs: 10 } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 2, "the window");
  h.alive.value = false;
  a.ack(1, 1);
  assert.deepEqual(h.endings.map((e) => e.result.state), ["lapsed"]);
  await sleep(50);
  assert.deepEqual([h.ends, h.records], [[], []]);
  assert.equal(a.forgotten, 1);
  assert.equal(h.session.current, "ended");
});

test("the moves between states are exactly those of session-state.ts", () => {
  const states: SessionState[] = ["active", "offline", "ending", "ended"];
  const allowed = states.flatMap((from) => states.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
  assert.deepEqual(allowed, ["active→offline", "active→ending", "active→ended", "offline→active", "offline→ending", "offline→ended", "ending→ended"]);
  assert.match(new SessionStateError("ended", "active").message, /from ended to active/);
});

test("a holding goes offline, active, ending and ended as its targets and its end come and go; an illegal move throws", async () => {
  const h = sessionHarness({ log: msgs(1, 1), deps: { offlineGraceMs: 20 } });
  let answer: (r: EndResult) => void = () => undefined;
  h.answerEnd = () => new Promise((resolve) => (answer = resolve));
  const seen: SessionState[] = [h.session.current];
  h.session.start([new FakeTarget("a")]);
  seen.push(h.session.current);
  h.session.removeTarget("a");
  seen.push(h.session.current);
  h.session.addTarget(new FakeTarget("b"));
  seen.push(h.session.current);
  h.session.removeTarget("b");
  await waitFor(() => h.ends.length === 1, "the release");
  seen.push(h.session.current);
  answer({ state: "parked", lease: 7n, lastSeq: 1n });
  await waitFor(() => h.endings.length === 1, "the end");
  seen.push(h.session.current);
  assert.deepEqual(seen, ["offline", "active", "offline", "active", "ending", "ended"]);
  h.session.addTarget(new FakeTarget("c"));
  assert.equal(h.session.current, "ended", "an ended holding takes no target");
  const move = (h.session as unknown as { move(to: SessionState): void }).move.bind(h.session);
  assert.throws(() => move("active"), SessionStateError);
});

// Shutdown abandons every holding; the engine also abandons one a newer lease of its own supersedes.
test("a holding abandoned while its end is being written reports one end", async () => {
  const h = sessionHarness({ log: msgs(1, 1), deps: { offlineGraceMs: 0 } });
  let answer: (r: EndResult) => void = () => undefined;
  h.answerEnd = () => new Promise((resolve) => (answer = resolve));
  h.session.start([]);
  await waitFor(() => h.ends.length === 1, "the release being written");
  h.session.abandon();
  answer({ state: "parked", lease: 7n, lastSeq: 1n });
  await sleep(20);
  assert.deepEqual(
    h.endings.map((e) => e.result.state),
    ["lapsed"],
  );
});

// session-state.ts: backoff ends an active holding; an offline one waits the grace, then transfers or releases.
test("a holding whose last target left with messages unacked waits out the grace instead of backing off", async () => {
  const h = sessionHarness({ log: msgs(1, 2), deps: { ackTimeoutMs: 30, offlineGraceMs: 300 } });
  const a = new FakeTarget("a");
  h.session.start([a]);
  await waitFor(() => a.seqs.length === 2, "the window");
  h.session.removeTarget("a");
  h.clock.t += 30;
  const { request } = await h.ended();
  assert.equal(request?.end, "release");
});
