import assert from "node:assert/strict";
import { test } from "node:test";
import { decimalQueryInt } from "./decimal-query-int.ts";

const limit = decimalQueryInt(1, 200);

test("decimal digits within the range are numbers", () => {
  for (const [text, n] of [["1", 1], ["200", 200], ["050", 50], ["16", 16]] as const) assert.equal(limit.parse(text), n);
});

test("anything Number() would also read is refused", () => {
  for (const text of ["0x10", " 5", "  5", "5 ", "+5", "-5", "1e2", "5.0", "", "Infinity", "NaN", "0b1", "0o7", "５", "9".repeat(400), "0", "201"]) {
    const r = limit.safeParse(text);
    assert.equal(r.success, false, JSON.stringify(text));
    assert.match(r.error!.issues[0]!.message, /must be 1–200/);
  }
});
