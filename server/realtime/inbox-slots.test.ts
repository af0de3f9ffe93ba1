import assert from "node:assert/strict";
import { test } from "node:test";
import { createLocalInboxSlots } from "./inbox-slots.ts";

test("a uid runs at most max requests; others are not affected; released slots come back", async () => {
  const slots = createLocalInboxSlots(2);
  assert.equal(await slots.acquire("u", "a"), true);
  assert.equal(await slots.acquire("u", "b"), true);
  assert.equal(await slots.acquire("u", "c"), false);
  assert.equal(await slots.acquire("v", "d"), true, "another uid has its own slots");
  slots.release("u", "a");
  slots.release("u", "a"); // twice: no slot is freed that was not held
  slots.release("u", "never-held");
  assert.equal(await slots.acquire("u", "e"), true);
  assert.equal(await slots.acquire("u", "f"), false);
});
