import assert from "node:assert/strict";
import { test } from "node:test";
import { countDuplicates, findInversions, findMissing, type Receipt } from "./order-check.ts";

const r = (id: string, attempt = 1, instance = 0): Receipt => ({ id, attempt, at: 0, instance, framed: false });

test("first receipts in ascending id order pass, duplicates of any age included", () => {
  const receipts = [r("5"), r("7"), r("5", 2), r("9"), r("7", 2), r("9", 2), r("12")];
  assert.deepEqual(findInversions(receipts), []);
  assert.equal(countDuplicates(receipts), 3);
});

test("an id first received after a greater one is an inversion, named with the newest before it", () => {
  const receipts = [r("252", 1, 1), r("269", 1, 0), r("270", 1, 0), r("253", 2, 0), r("254", 2, 0), r("271", 1, 0)];
  const found = findInversions(receipts).map((i) => [i.late.id, i.late.attempt, i.newest.id]);
  assert.deepEqual(found, [
    ["253", 2, "270"],
    ["254", 2, "270"],
  ]);
});

test("ids compare as numbers, not strings", () => {
  assert.deepEqual(findInversions([r("9"), r("10"), r("100")]), []);
  assert.equal(findInversions([r("100"), r("99")]).length, 1);
  assert.equal(findInversions([r("4294967296"), r("4294967297")]).length, 0);
});

test("missing: accepted ids that never arrived, in acceptance order", () => {
  assert.deepEqual(findMissing(["1", "2", "3", "4"], [r("3"), r("1"), r("3", 2)]), ["2", "4"]);
  assert.deepEqual(findMissing([], [r("1")]), []);
});
