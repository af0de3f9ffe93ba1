import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HubClientError } from "../src/hub-client-error.ts";
import { checkId, checkPageSize, readBatches, syncRequest } from "../src/validate.ts";

const invalidArgument = (err: unknown) => err instanceof HubClientError && err.code === "invalid_argument";

describe("argument validation", () => {
  it("builds sync requests, leaving the hub's defaults alone", () => {
    assert.deepEqual(syncRequest(), {});
    assert.deepEqual(syncRequest({ since: null }), {});
    assert.deepEqual(syncRequest({ since: "12", limit: 500 }), { since: "12", limit: 500 });
  });

  it('sends since "0" as no since: the hub\'s ids start at 1 and it refuses "0"', () => {
    assert.deepEqual(syncRequest({ since: "0", limit: 100 }), { limit: 100 });
  });

  it("refuses a bad since or limit", () => {
    assert.throws(() => syncRequest({ since: "x" }), invalidArgument);
    assert.throws(() => syncRequest({ since: 12 as unknown as string }), invalidArgument);
    for (const limit of [0, 501, 1.5, Number.NaN]) assert.throws(() => syncRequest({ limit }), invalidArgument);
    assert.throws(() => checkPageSize(600, "pageSize"), /pageSize must be an integer from 1 to 500/);
  });

  it("checks ids", () => {
    assert.equal(checkId("7", "id"), "7");
    assert.throws(() => checkId("07", "upToId"), /upToId must be a message id/);
  });

  it("splits read ids into requests of at most 1000, without repeats", () => {
    const ids = Array.from({ length: 2500 }, (_, i) => String(i + 1));
    const batches = readBatches([...ids, "1", "2"]);
    assert.deepEqual(batches.map((b) => b.length), [1000, 1000, 500]);
    assert.deepEqual(batches.flat(), ids);
    assert.deepEqual(readBatches([]), []);
  });

  it("names the bad id of a read", () => {
    assert.throws(() => readBatches(["1", "two"]), /ids\[1\] must be a message id/);
    assert.throws(() => readBatches("1" as unknown as string[]), invalidArgument);
  });
});
