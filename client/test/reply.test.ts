import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HubClientError } from "../src/hub-client-error.ts";
import { isReadReply, isReadStateEvent, isSyncPage } from "../src/protocol.ts";
import { ackFailure, unwrapReply } from "../src/reply.ts";

const hubError = (code: string) => (err: unknown) => err instanceof HubClientError && err.code === code;

describe("replies", () => {
  it("returns a well-formed reply", () => {
    assert.deepEqual(unwrapReply("read", { updated: 2 }, isReadReply), { updated: 2 });
    const page = { messages: [{ id: "1", type: 4, clientType: 0, msg: { a: 1 }, createdAt: "2025-01-01T00:00:00Z", status: "read", readAt: null }], next: null, unread: 0 };
    assert.deepEqual(unwrapReply("sync", page, isSyncPage), page);
  });

  it("turns the hub's error reply into a HubClientError with its code", () => {
    const reply = { error: { code: "invalid_payload", message: "read expects ids" } };
    assert.throws(() => unwrapReply("read", reply, isReadReply), (err: unknown) => hubError("invalid_payload")(err) && (err as Error).message === "read expects ids");
  });

  it("refuses a reply of the wrong shape", () => {
    for (const reply of [undefined, null, {}, { updated: -1 }, { updated: "2" }]) {
      assert.throws(() => unwrapReply("read", reply, isReadReply), hubError("invalid_reply"));
    }
    const badPage = { messages: [{ id: 1 }], next: null, unread: 0 };
    assert.throws(() => unwrapReply("sync", badPage, isSyncPage), hubError("invalid_reply"));
  });

  it("names socket.io's ack failures", () => {
    assert.equal(ackFailure("sync", new Error("operation has timed out"), 50).code, "timeout");
    assert.equal(ackFailure("sync", new Error("socket has been disconnected"), 50).code, "disconnected");
  });

  it("accepts readState events with ids or upTo only", () => {
    assert.equal(isReadStateEvent({ ids: ["1"], readAt: "t" }), true);
    assert.equal(isReadStateEvent({ upTo: "9", readAt: "t" }), true);
    assert.equal(isReadStateEvent({ readAt: "t" }), false);
    assert.equal(isReadStateEvent({ ids: [1], readAt: "t" }), false);
  });
});
