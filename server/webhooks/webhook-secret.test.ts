import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { newWebhookSecret } from "./webhook-secret.ts";

test("a secret is whsec_ and the base64 of 32 bytes", () => {
  const secret = newWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(secret.slice("whsec_".length), "base64").length, 32);
});

test("secrets differ and the standardwebhooks package accepts them", () => {
  const a = newWebhookSecret();
  const b = newWebhookSecret();
  assert.notEqual(a, b);
  assert.doesNotThrow(() => new Webhook(a));
});
