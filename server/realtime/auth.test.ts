import assert from "node:assert/strict";
import { test } from "node:test";
import { SignJWT } from "jose";
import { createTokenService } from "./auth.ts";

const secret = "a-test-secret-of-enough-length";
const DAY_MS = 86_400_000;
const now = Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));

test("exp further ahead than HUB_JWT_MAX_TTL is refused", async () => {
  const tokens = createTokenService({ jwtSecret: secret, jwtMaxTtl: DAY_MS, jwtAudience: undefined, jwtIssuer: undefined });
  assert.equal(await tokens.verify(await token({ sub: "u", exp: now + 3600 })), "u");
  assert.equal(await tokens.verify(await token({ sub: "u", exp: now + 86_000 })), "u");
  for (const exp of [now + 86_400 + 120, now + 100 * 365 * 86_400, 1e300]) {
    assert.equal(await tokens.verify(await token({ sub: "u", exp })), null, `exp ${exp}`);
  }
});

test("with HUB_JWT_AUDIENCE and HUB_JWT_ISSUER set, tokens must carry both", async () => {
  const tokens = createTokenService({ jwtSecret: secret, jwtMaxTtl: DAY_MS, jwtAudience: "push-hub", jwtIssuer: "https://auth.example.com" });
  const exp = now + 600;
  assert.equal(await tokens.verify(await token({ sub: "u", exp, aud: "push-hub", iss: "https://auth.example.com" })), "u");
  assert.equal(await tokens.verify(await token({ sub: "u", exp, aud: ["other", "push-hub"], iss: "https://auth.example.com" })), "u");
  assert.equal(await tokens.verify(await token({ sub: "u", exp, iss: "https://auth.example.com" })), null, "no aud");
  assert.equal(await tokens.verify(await token({ sub: "u", exp, aud: "other", iss: "https://auth.example.com" })), null, "wrong aud");
  assert.equal(await tokens.verify(await token({ sub: "u", exp, aud: "push-hub" })), null, "no iss");
  assert.equal(await tokens.verify(await token({ sub: "u", exp, aud: "push-hub", iss: "https://evil.example.com" })), null, "wrong iss");
  assert.equal(await tokens.verify(await tokens.sign("u")), "u", "its own tokens carry them");
});

test("without them, aud and iss are not required; signed tokens live at most HUB_JWT_MAX_TTL", async () => {
  const tokens = createTokenService({ jwtSecret: secret, jwtMaxTtl: 3_600_000, jwtAudience: undefined, jwtIssuer: undefined });
  assert.equal(await tokens.verify(await token({ sub: "u", exp: now + 600, aud: "anything" })), "u");
  const signed = await tokens.sign("u", 7 * 86_400);
  const exp = JSON.parse(Buffer.from(signed.split(".")[1]!, "base64url").toString()).exp as number;
  assert.ok(exp <= Math.floor(Date.now() / 1000) + 3600, "a longer ttl is cut to the maximum");
  assert.equal(await tokens.verify(signed), "u");
});
