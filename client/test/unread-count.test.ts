import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UnreadCount } from "../src/unread-count.ts";

describe("UnreadCount", () => {
  it("takes the largest total and cleared seen, whatever order the reports come in", () => {
    const u = new UnreadCount();
    assert.equal(u.take({ count: 3, total: 10, cleared: 7 }), true);
    assert.equal(u.value, 3);
    // a read elsewhere cleared everything …
    u.take({ count: 0, total: 10, cleared: 10 });
    assert.equal(u.value, 0);
    // … and a frame read before it arrives late: it cannot bring the old count back
    assert.equal(u.take({ count: 3, total: 10, cleared: 7 }), false);
    assert.equal(u.value, 0);
    // a new message counts on top of what is cleared
    u.take({ count: 4, total: 11, cleared: 7 });
    assert.equal(u.value, 1);
  });

  it("a bare count counts only until a stamped report came", () => {
    const u = new UnreadCount();
    assert.equal(u.value, null);
    u.take(5);
    assert.equal(u.value, 5);
    u.take({ count: 2, total: 9, cleared: 7 });
    assert.equal(u.take(5), false);
    assert.equal(u.value, 2);
  });
});
