import { createHmac } from "node:crypto";

/**
 * HS256 JWT with `sub` and `exp` (what the hub's handshake requires), signed synchronously with
 * node:crypto: jose's WebCrypto signing costs ~0.5 ms a token, which adds up over 10,000s of clients.
 * loadtest/client-token.test.ts checks jose verifies these.
 */
export function signClientToken(uid: string, secret: string, ttlSec = 7200, now = Date.now()): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const iat = Math.floor(now / 1000);
  const body = `${enc({ alg: "HS256", typ: "JWT" })}.${enc({ sub: uid, iat, exp: iat + ttlSec })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}
