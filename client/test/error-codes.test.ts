import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HUB_ERROR_CODES, errorCodesOver, isRetryable } from "../src/error-codes.ts";

describe("the error vocabulary", () => {
  it("gives every code a place, a message and a retry rule", () => {
    for (const [code, spec] of Object.entries(HUB_ERROR_CODES)) {
      assert.match(code, /^[a-z]+(_[a-z0-9]+)*$/, code);
      assert.ok(spec.over.length > 0, code);
      assert.ok(spec.message.length > 0, code);
    }
  });

  it("names one condition once: rate limits and internal errors have one code over HTTP and the socket alike", () => {
    assert.ok(errorCodesOver("http").includes("rate_limited"));
    assert.ok(errorCodesOver("socket").includes("rate_limited"));
    assert.ok(errorCodesOver("socket").includes("internal"));
    assert.ok(!("too_many_requests" in HUB_ERROR_CODES));
    assert.ok(!("internal_error" in HUB_ERROR_CODES));
  });

  it("keeps what the hub sends apart from what the SDK raises about the hub", () => {
    assert.deepEqual(HUB_ERROR_CODES.invalid_payload.over, ["socket"], "invalid_payload: the client sent bad data");
    assert.deepEqual(HUB_ERROR_CODES.invalid_event.over, ["sdk"], "invalid_event: the hub sent bad data");
    for (const code of errorCodesOver("sdk")) assert.equal(HUB_ERROR_CODES[code].over.length, 1, `${code} is the SDK's alone`);
  });

  it("says which failures are worth retrying", () => {
    assert.equal(isRetryable("store_unavailable"), true);
    assert.equal(isRetryable("inbox_busy"), true);
    assert.equal(isRetryable("invalid_payload"), false);
    assert.equal(isRetryable("no_such_code"), false);
    assert.equal(isRetryable("toString"), false, "only the table's own codes");
  });
});
