import assert from "node:assert/strict";
import { test } from "node:test";
import { createOriginPolicy } from "./origin-policy.ts";

test("no Origin and same origin pass; other origins only when listed", () => {
  const allows = createOriginPolicy(["https://app.example.com"]);
  assert.equal(allows(undefined, "hub.example.com"), true);
  assert.equal(allows("https://hub.example.com", "hub.example.com"), true);
  assert.equal(allows("http://localhost:9501", "localhost:9501"), true);
  assert.equal(allows("https://APP.example.com", "hub.example.com"), true);
  assert.equal(allows("https://evil.example.com", "hub.example.com"), false);
  assert.equal(allows("http://localhost:9502", "localhost:9501"), false, "another port is another origin");
  assert.equal(allows("null", "hub.example.com"), false);
  assert.equal(allows("https://evil.example.com", undefined), false);
});

test('"*" allows every origin', () => {
  assert.equal(createOriginPolicy(["*"])("https://anyone.example", "hub"), true);
});
