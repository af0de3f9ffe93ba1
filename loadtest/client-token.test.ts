import assert from "node:assert/strict";
import { test } from "node:test";
import { jwtVerify } from "jose";
import { signClientToken } from "./client-token.ts";

test("jose verifies the load generator's tokens", async () => {
  const secret = "a-secret-of-at-least-16-chars";
  const { payload, protectedHeader } = await jwtVerify(signClientToken("user-1", secret), new TextEncoder().encode(secret), { algorithms: ["HS256"] });
  assert.equal(payload.sub, "user-1");
  assert.equal(protectedHeader.alg, "HS256");
  assert.ok((payload.exp as number) > Date.now() / 1000);
});

test("a token signed with another secret is rejected", async () => {
  await assert.rejects(jwtVerify(signClientToken("u", "secret-one-xxxxxxxx"), new TextEncoder().encode("secret-two-xxxxxxxx")));
});

test("an expired token is rejected", async () => {
  const token = signClientToken("u", "secret-one-xxxxxxxx", 60, Date.now() - 3_600_000);
  await assert.rejects(jwtVerify(token, new TextEncoder().encode("secret-one-xxxxxxxx")), /exp/);
});
