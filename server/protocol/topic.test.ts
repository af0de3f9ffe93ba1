import assert from "node:assert/strict";
import { test } from "node:test";
import { matchesTopic, topicNameSchema, topicPatternSchema } from "./topic.ts";

test("* matches exactly one whole segment", () => {
  assert.equal(matchesTopic("news:*", "news:sport"), true);
  assert.equal(matchesTopic("news:*", "news"), false);
  assert.equal(matchesTopic("news:*", "news:sport:live"), false);
  assert.equal(matchesTopic("*:live", "sport:live"), true);
  assert.equal(matchesTopic("news:sport", "news:sport"), true);
  assert.equal(matchesTopic("news:sport", "news:sports"), false);
  assert.equal(matchesTopic("*", "news"), true);
  assert.equal(matchesTopic("*", "news:sport"), false);
});

test("patterns use * only as a whole segment; names are 1–128 of the topic alphabet", () => {
  for (const ok of ["news:*", "*", "a.b-c_d:*:x", "x".repeat(128)]) assert.ok(topicPatternSchema.safeParse(ok).success, ok);
  for (const bad of ["news:*x", "news*", "news::a", ":a", "a:", "", "x".repeat(129), "news/sport", "ne ws"]) {
    assert.ok(!topicPatternSchema.safeParse(bad).success, bad);
  }
  assert.ok(topicNameSchema.safeParse("news:sport").success);
  assert.ok(!topicNameSchema.safeParse("news:*").success, "a name has no wildcard");
});
