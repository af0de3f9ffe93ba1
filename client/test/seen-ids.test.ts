import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeenIds } from "../src/seen-ids.ts";

describe("SeenIds", () => {
  it("says whether an id is new", () => {
    const seen = new SeenIds(10);
    assert.equal(seen.add("1"), true);
    assert.equal(seen.add("1"), false);
    assert.equal(seen.has("1"), true);
    assert.equal(seen.has("2"), false);
  });

  it("remembers an older id added after a newer one (not a watermark)", () => {
    const seen = new SeenIds(10);
    seen.add("100"); // a live message overtaking a sync page
    assert.equal(seen.add("42"), true);
    assert.equal(seen.add("100"), false);
  });

  it("forgets the id added longest ago once full", () => {
    const seen = new SeenIds(3);
    for (const id of ["1", "2", "3", "4"]) seen.add(id);
    assert.equal(seen.size, 3);
    assert.equal(seen.has("1"), false);
    assert.deepEqual(["2", "3", "4"].map((id) => seen.has(id)), [true, true, true]);
    assert.equal(seen.add("1"), true);
    assert.equal(seen.has("2"), false);
  });

  it("holds 10,000 ids by default", () => {
    const seen = new SeenIds();
    for (let i = 0; i < 10_001; i++) seen.add(String(i));
    assert.equal(seen.size, 10_000);
    assert.equal(seen.has("0"), false);
    assert.equal(seen.has("1"), true);
  });

  it("refuses a capacity that is not a positive integer", () => {
    assert.throws(() => new SeenIds(0), RangeError);
    assert.throws(() => new SeenIds(1.5), RangeError);
  });
});
