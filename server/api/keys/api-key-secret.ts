import { hash, randomBytes } from "node:crypto";

/** Database keys start with this, so a request is looked up in the database only when it could be one. */
export const KEY_PREFIX = "phk_";

/**
 * SHA-256 of a key: what the database stores and looks keys up by. Keys are 256 random bits, so no slow
 * hash is needed; the one-shot `hash` costs half the CPU of createHash().update().digest().
 */
export const hashApiKey = (key: string): Buffer => hash("sha256", key, "buffer");

/** A new key (shown once), its hash and the prefix lists show. */
export function newApiKeySecret(): { key: string; hash: Buffer; shown: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashApiKey(key), shown: key.slice(0, 12) };
}
