import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareIds, isMessageId, newerId } from "../src/message-ids.ts";

describe("message ids", () => {
  it("accepts canonical decimal strings only", () => {
    for (const id of ["0", "1", "42", "9223372036854775807"]) assert.equal(isMessageId(id), true, id);
    for (const id of ["", "01", "-1", "1.5", " 1", "1e3", "abc", 42, null, undefined]) assert.equal(isMessageId(id), false, String(id));
  });

  it("compares past 2^53, where Numbers would call them equal", () => {
    assert.equal(Number("9007199254740993"), Number("9007199254740992"));
    assert.equal(compareIds("9007199254740993", "9007199254740992"), 1);
    assert.equal(compareIds("9007199254740992", "9007199254740993"), -1);
    assert.equal(compareIds("9007199254740993", "9007199254740993"), 0);
  });

  it("compares by value, not as text", () => {
    assert.equal(compareIds("9", "10"), -1);
    assert.equal(compareIds("100", "99"), 1);
  });

  it("takes the newer id, null meaning none", () => {
    assert.equal(newerId(null, null), null);
    assert.equal(newerId(null, "5"), "5");
    assert.equal(newerId("5", null), "5");
    assert.equal(newerId("10", "9"), "10");
    assert.equal(newerId("9", "10"), "10");
  });
});
