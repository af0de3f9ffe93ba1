import assert from "node:assert/strict";
import { test } from "node:test";
import { heldTopicAppends, type PublishContent, type TopicAppendRow } from "./topic-appends.ts";

const content: PublishContent = { publishId: 7n, topic: "news", msgType: 4, clientType: 0, msg: { a: 1 }, bytes: 7, createdAt: new Date(0) };
const row = (uid: string, id: bigint, seq: bigint, holder: string | null, total = seq): TopicAppendRow => ({ uid, id, seq, holder, lease: 3n, total, cleared: 1n });

test("held rows become hand-overs carrying the publish's message; parked ones are left out", () => {
  const held = heldTopicAppends([row("a", 10n, 4n, "i1"), row("b", 11n, 1n, null), row("c", 12n, 2n, "i2")], content);
  assert.deepEqual(held.map((h) => [h.uid, h.holder, h.firstSeq, h.lease]), [["a", "i1", 4n, 3n], ["c", "i2", 2n, 3n]]);
  assert.deepEqual(held[0]?.messages, [{ id: 10n, seq: 4n, msgType: 4, clientType: 0, msg: { a: 1 }, createdAt: new Date(0), bytes: 7, topic: "news", publishId: 7n }]);
  assert.deepEqual(held[0]?.unread, { total: 4, cleared: 1 });
});

test("without the content (rows of several publishes) a hand-over only moves the head: firstSeq past it, no messages", () => {
  const held = heldTopicAppends([row("a", 10n, 4n, "i1", 5n), row("a", 11n, 5n, "i1", 5n)]);
  assert.equal(held.length, 1);
  assert.equal(held[0]?.firstSeq, 6n);
  assert.deepEqual(held[0]?.messages, []);
  assert.deepEqual(held[0]?.unread, { total: 5, cleared: 1 });
});

test("rows without a uid (a status row) are skipped", () => {
  assert.deepEqual(heldTopicAppends([{ uid: null, id: null, seq: null, holder: null, lease: null, total: null, cleared: null }], content), []);
});
