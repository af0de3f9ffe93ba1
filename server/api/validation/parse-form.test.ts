import assert from "node:assert/strict";
import { test } from "node:test";
import { parseForm } from "./parse-form.ts";

test("fields are decoded as URLSearchParams decodes valid input", () => {
  for (const text of ["uid=42&msg=hello+world", "uid=%C3%BC&msg=%7B%22a%22%3A1%7D", "a=%&b=%zz&c=%4", "=x&y=&z", "uid=a&uid=b", "", "&&a=1&&"]) {
    const expected: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) if (!(k in expected)) expected[k] = v;
    assert.deepEqual({ ...parseForm(text) }, expected, text);
  }
});

test("escapes that are not UTF-8 refuse the form instead of becoming U+FFFD", () => {
  for (const text of ["uid=u-j%FCrgen&msg=1", "uid=u-j%FFrgen&msg=1", "msg=%C3%28&uid=a", "%ED%A0%80=1", "uid=a&msg=%F0%9F%98"]) {
    assert.equal(parseForm(text), null, text);
  }
  assert.deepEqual({ ...parseForm("uid=u-j%C3%BCrgen") }, { uid: "u-jürgen" });
});

test("the result has no prototype to pollute", () => {
  const fields = parseForm("__proto__=x&constructor=y");
  assert.ok(fields);
  assert.equal(Object.getPrototypeOf(fields), null);
  assert.equal(fields.__proto__, "x");
});
