import assert from "node:assert/strict";
import { test } from "node:test";
import { keyInputSchema, parseDuration } from "../api/validation/key-input.ts";
import { parseKeysCommand } from "./keys-command.ts";

test("create turns its flags into the same input POST /api/keys takes", () => {
  const command = parseKeysCommand(["create", "--name", "N", "--scopes", "publish, read", "--uid-prefix", "app:", "--topics", "news:*,sport:*", "--expires", "90d", "--rate", "500"]);
  assert.equal(command.action, "create");
  const input = keyInputSchema.parse((command as { input: unknown }).input);
  assert.deepEqual(input, { name: "N", scopes: ["publish", "read"], uidPrefix: "app:", topics: ["news:*", "sport:*"], expiresInSeconds: 90 * 86_400, ratePerSecond: 500 });
});

test("list, revoke and help; anything else says what is wrong", () => {
  assert.deepEqual(parseKeysCommand(["list"]), { action: "list" });
  assert.deepEqual(parseKeysCommand(["revoke", "abc"]), { action: "revoke", id: "abc" });
  assert.deepEqual(parseKeysCommand([]), { action: "help" });
  assert.throws(() => parseKeysCommand(["revoke"]), /one key id/);
  assert.throws(() => parseKeysCommand(["drop"]), /unknown command/);
  assert.throws(() => parseKeysCommand(["create", "--name", "x", "--scopes", "read", "--expires", "soon"]), /--expires soon/);
  assert.throws(() => parseKeysCommand(["create", "--name", "x", "--scopes", "read", "--rate", "-1"]), /--rate/);
  assert.throws(() => parseKeysCommand(["create", "--bogus"]), /bogus/);
});

test("durations", () => {
  assert.equal(parseDuration("45"), 45);
  assert.equal(parseDuration("30m"), 1800);
  assert.equal(parseDuration("12h"), 43_200);
  assert.equal(parseDuration("2w"), 1_209_600);
  assert.equal(parseDuration("1.5d"), null);
  assert.equal(parseDuration("d"), null);
});
