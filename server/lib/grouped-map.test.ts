import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupedMap } from "./grouped-map.ts";

test("a group holds its keys, lone or many, and is forgotten when empty", () => {
  const m = new GroupedMap<number>();
  m.set("u", "a", 1);
  assert.deepEqual([m.size("u"), m.values("u"), m.has("u")], [1, [1], true]);
  m.set("u", "a", 2); // the same key again replaces it
  assert.deepEqual(m.values("u"), [2]);
  m.set("u", "b", 3);
  m.set("u", "c", 4);
  assert.deepEqual([m.size("u"), m.values("u")], [3, [2, 3, 4]]);
  assert.equal(m.delete("u", "x"), false);
  assert.equal(m.delete("u", "b"), true);
  assert.equal(m.delete("u", "b"), false);
  assert.deepEqual(m.values("u"), [2, 4]);
  m.delete("u", "a");
  m.delete("u", "c");
  assert.deepEqual([m.size("u"), m.has("u"), [...m.keys()]], [0, false, []]);
});

test("a lone key is only removed by its own key; groups are apart", () => {
  const m = new GroupedMap<string>();
  m.set("u", "a", "A");
  m.set("v", "a", "B");
  assert.equal(m.delete("u", "b"), false);
  assert.deepEqual(m.values("u"), ["A"]);
  assert.deepEqual([...m.keys()].sort(), ["u", "v"]);
  assert.equal(m.delete("u", "a"), true);
  assert.deepEqual([m.has("u"), m.values("v")], [false, ["B"]]);
  m.clear();
  assert.equal(m.has("v"), false);
});
