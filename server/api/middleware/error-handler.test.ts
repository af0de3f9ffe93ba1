import assert from "node:assert/strict";
import { test } from "node:test";
import { StoreUnavailableError } from "../../store/store-unavailable-error.ts";
import { knownHubError } from "./error-handler.ts";

test("a store failure is a 503 that says what could not be done, not that nothing was stored", () => {
  for (const what of ["could not read the message", "could not cancel the message", "could not store messages"]) {
    const error = knownHubError(new StoreUnavailableError(what, new Error("connection refused")));
    assert.equal(error?.status, 503);
    assert.equal(error?.code, "store_unavailable");
    assert.equal(error?.message, `The message store is unavailable (${what}); retry later`);
    assert.equal(error?.headers["Retry-After"], "1");
  }
});
