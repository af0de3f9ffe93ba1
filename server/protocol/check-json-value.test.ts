import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonValueProblem } from "./check-json-value.ts";

const arrays = (n: number, inner: unknown = undefined): unknown => {
  let v: unknown = inner === undefined ? [] : [inner];
  for (let i = 1; i < n; i++) v = [v];
  return v;
};
const objects = (n: number): unknown => {
  let v: unknown = {};
  for (let i = 1; i < n; i++) v = { a: v };
  return v;
};

test("every array and object is a level, empty ones included", () => {
  assert.equal(jsonValueProblem(arrays(64), 64), null);
  assert.equal(jsonValueProblem(arrays(65), 64), "nested deeper than 64 levels");
  assert.equal(jsonValueProblem(objects(64), 64), null);
  assert.equal(jsonValueProblem(objects(65), 64), "nested deeper than 64 levels");
  assert.equal(jsonValueProblem(arrays(64, 1), 64), null, "a scalar inside the deepest level is no level of its own");
  assert.equal(jsonValueProblem({ a: arrays(63) }, 64), null);
  assert.equal(jsonValueProblem({ a: arrays(64) }, 64), "nested deeper than 64 levels", "arrays and objects count alike");
  assert.equal(jsonValueProblem("text", 0), null);
  assert.equal(jsonValueProblem([], 0), "nested deeper than 0 levels");
});

test("strings and keys that jsonb cannot hold", () => {
  assert.equal(jsonValueProblem(["a\u0000b"], 64), "contains a NUL character");
  assert.equal(jsonValueProblem({ "\ud800": 1 }, 64), "key contains an unpaired surrogate");
  assert.equal(jsonValueProblem({ ok: ["😀"] }, 64), null);
});
