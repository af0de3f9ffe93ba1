import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeTarget } from "../../test/support/fake-session-deps.ts";
import type { RelayNotice } from "./relay-notice.ts";
import { createRelayReceiver } from "./relay-receiver.ts";

type Frame = Extract<RelayNotice, { t: "frame" }>;

const HOLDER = "hub-1";

/** Frame `n` of the holding under `lease`, the holder's acked position `acked`, carrying `seqs`. */
const frame = (n: number, seqs: number[], o: { acked?: number; lease?: number; uid?: string } = {}): Frame => ({
  t: "frame",
  uid: o.uid ?? "u",
  lease: String(o.lease ?? 7),
  n,
  acked: String(o.acked ?? 0),
  unread: { total: 10, cleared: 0 },
  messages: seqs.map((seq) => ({
    seq: String(seq),
    payload: { id: String(seq * 10), type: 4, clientType: 0, msg: { seq }, createdAt: new Date(0).toISOString(), attempt: 1 },
  })),
});

function receiverWith(...keys: string[]) {
  const sockets = new Map(keys.map((k) => [k, new FakeTarget(k)]));
  const sent: { to: string; notice: RelayNotice }[] = [];
  const receiver = createRelayReceiver({
    port: { send: (to, notice) => void sent.push({ to, notice }) },
    localSockets: (uid) => (uid === "u" ? [...sockets.values()] : []),
  });
  const socket = (k: string) => sockets.get(k) as FakeTarget;
  const notices = (t: RelayNotice["t"]) => sent.filter((s) => s.notice.t === t);
  return { receiver, sockets, socket, sent, notices };
}

test("frames numbered from 0 reach every local socket in order", () => {
  const r = receiverWith("x", "y");
  r.receiver.frame(HOLDER, frame(0, [1, 2]));
  r.receiver.frame(HOLDER, frame(1, [3]));
  r.receiver.frame(HOLDER, frame(2, [4, 5]));
  assert.deepEqual(r.socket("x").seqs, [1, 2, 3, 4, 5]);
  assert.deepEqual(r.socket("y").seqs, [1, 2, 3, 4, 5]);
  assert.equal(r.receiver.has("u"), true);
  assert.deepEqual(r.socket("x").batches[0]?.unread, { total: 10, cleared: 0 });
});

test("a message a socket was already sent is not sent to it again", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(0, [1, 2]));
  r.receiver.frame(HOLDER, frame(1, [2, 3]));
  assert.deepEqual(r.socket("x").seqs, [1, 2, 3]);
});

test("a socket's acks go back to the holder under its lease", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(0, [1, 2]));
  r.socket("x").ack(1, 2);
  assert.deepEqual(r.notices("ack"), [{ to: HOLDER, notice: { t: "ack", uid: "u", lease: "7", from: "1", to: "2" } }]);
});

test("a frame that does not continue the last one is not delivered; the holder is asked for a catch-up", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(0, [1]));
  r.receiver.frame(HOLDER, frame(2, [3]));
  r.receiver.frame(HOLDER, frame(3, [4]));
  assert.deepEqual(r.socket("x").seqs, [1], "nothing after the gap");
  assert.deepEqual(r.notices("join"), [{ to: HOLDER, notice: { t: "join", uid: "u" } }]);
  r.receiver.frame(HOLDER, frame(0, [1, 2, 3, 4]));
  assert.deepEqual(r.socket("x").seqs, [1, 2, 3, 4], "the catch-up continues where the socket was");
});

// Frame 0 of a holding can be lost like any other (every notice may be).
test("a first frame that is not frame 0 is not delivered; the holder is asked for a catch-up", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(1, [2]));
  assert.deepEqual(r.socket("x").seqs, []);
  assert.deepEqual(r.notices("join"), [{ to: HOLDER, notice: { t: "join", uid: "u" } }]);
});

test("a socket joining is first sent what was relayed and is not acked yet", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(0, [1, 2, 3]));
  r.receiver.frame(HOLDER, frame(1, [4], { acked: 2 }));
  const z = new FakeTarget("z");
  r.receiver.addSocket("u", z);
  assert.deepEqual(z.seqs, [3, 4]);
  r.receiver.frame(HOLDER, frame(2, [5], { acked: 2 }));
  assert.deepEqual(z.seqs, [3, 4, 5]);
});

test("a socket joining for a uid nobody relays here is left alone", () => {
  const r = receiverWith();
  const z = new FakeTarget("z");
  r.receiver.addSocket("u", z);
  assert.deepEqual([z.seqs, r.receiver.has("u")], [[], false]);
});

test("a frame of an earlier lease is ignored; one of a later lease starts over from its acked position", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(0, [1, 2], { lease: 7 }));
  r.receiver.frame(HOLDER, frame(1, [3], { lease: 6 }));
  assert.deepEqual(r.socket("x").seqs, [1, 2]);
  r.receiver.frame(HOLDER, frame(0, [2, 3], { lease: 8, acked: 1 }));
  assert.deepEqual(r.socket("x").seqs, [1, 2, 2, 3], "the new holding sends what is unacked again");
  r.socket("x").ack(2, 3);
  assert.deepEqual(r.notices("ack").at(-1)?.notice, { t: "ack", uid: "u", lease: "8", from: "2", to: "3" });
});

test("the last socket of a uid leaving drops its relay and tells the holder", () => {
  const r = receiverWith("x", "y");
  r.receiver.frame(HOLDER, frame(0, [1]));
  r.receiver.removeSocket("u", "x");
  assert.deepEqual(r.notices("leave"), []);
  r.receiver.removeSocket("u", "y");
  assert.deepEqual(r.notices("leave"), [{ to: HOLDER, notice: { t: "leave", uid: "u" } }]);
  assert.equal(r.receiver.has("u"), false);
});

test("a frame for a uid with no socket here is answered with leave", () => {
  const r = receiverWith();
  r.receiver.frame(HOLDER, frame(0, [1]));
  assert.deepEqual(r.notices("leave"), [{ to: HOLDER, notice: { t: "leave", uid: "u" } }]);
  assert.equal(r.receiver.has("u"), false);
});

test("end from the holder drops the relay and its sockets' callbacks; an end of another holder or lease does not", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(0, [1, 2]));
  r.receiver.end("hub-2", "u", 7n);
  r.receiver.end(HOLDER, "u", 6n);
  assert.equal(r.receiver.has("u"), true);
  r.receiver.end(HOLDER, "u", 7n);
  assert.equal(r.receiver.has("u"), false);
  assert.equal(r.socket("x").forgotten, 1);
  r.socket("x").ack(1, 2);
  assert.deepEqual(r.notices("ack"), [], "acks of an ended relay go nowhere");
});

test("drop (this instance holds the uid now) ends the relay without telling anyone", () => {
  const r = receiverWith("x");
  r.receiver.frame(HOLDER, frame(0, [1]));
  r.receiver.drop("u");
  assert.equal(r.receiver.has("u"), false);
  assert.equal(r.socket("x").forgotten, 1);
  assert.deepEqual(r.notices("leave"), []);
});
