import assert from "node:assert/strict";
import { test } from "node:test";
import { StoreUnavailableError } from "../store/store-unavailable-error.ts";
import { connectError, errorReply, replyForFailure } from "./socket-errors.ts";

test("a store failure is store_unavailable (retry); anything else is internal and unexpected", () => {
  const outage = replyForFailure(new StoreUnavailableError("could not mark messages read", new Error("ECONNREFUSED")));
  assert.equal(outage.unexpected, false);
  assert.equal(outage.reply.error.code, "store_unavailable");
  assert.match(outage.reply.error.message, /could not mark messages read/);

  for (const bug of [new TypeError("cannot read properties of undefined"), new Error("boom"), "a thrown string"]) {
    const failure = replyForFailure(bug);
    assert.equal(failure.unexpected, true);
    assert.deepEqual(failure.reply, { error: { code: "internal", message: "Internal error" } }, "a bug's details stay in the log");
  }
});

test("error replies default to the table's message; connect errors keep the code as their message", () => {
  assert.deepEqual(errorReply("inbox_busy").error.code, "inbox_busy");
  assert.match(errorReply("inbox_busy").error.message, /inbox requests/);
  assert.equal(errorReply("invalid_payload", "read expects ids").error.message, "read expects ids");
  const refused = connectError("too_many_connections");
  assert.equal(refused.message, "too_many_connections");
  assert.equal(refused.data.code, "too_many_connections");
});
