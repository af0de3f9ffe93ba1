import { timingSafeEqual } from "node:crypto";
import { findApiKeyByHash, type ApiKeyRecord } from "../../store/api-keys.ts";
import type { Db } from "../../store/prisma.ts";
import { hashApiKey, KEY_PREFIX } from "./api-key-secret.ts";
import { fullAccess, SCOPES, type KeyGrant, type Scope } from "./key-grant.ts";

// SHA-256, as database keys are stored (it runs for every request).
const digest = hashApiKey;

/** The grant of a presented key, or null when it is no key (unknown, revoked or expired). */
export type KeyResolver = (presented: string) => Promise<KeyGrant | null>;

/**
 * Compares a presented secret with every configured one as SHA-256 digests with timingSafeEqual, so
 * timing reveals neither key nor length; the match's fingerprint (a digest, never the key) or null.
 */
export function createSecretCheck(secrets: readonly string[]): (presented: string) => string | null {
  const known = secrets.map((k) => ({ digest: digest(k), fingerprint: digest(`push-hub:${k}`).toString("hex").slice(0, 32) }));
  return (presented) => {
    const d = digest(presented);
    let found: string | null = null;
    for (const k of known) if (timingSafeEqual(k.digest, d)) found = k.fingerprint;
    return found;
  };
}

interface KeyResolverDeps {
  /** HUB_API_KEYS: full-access keys. */
  envKeys: readonly string[];
  db: Db;
  /**
   * How long a database key's row is reused before it is read again. A revoked or expired key stops
   * working on every instance within this long (expiry itself is checked at every request).
   */
  cacheMs?: number;
  now?: () => number;
}

const MAX_CACHED = 10_000;

/**
 * HUB_API_KEYS keys (full access), then database keys (`phk_…`, looked up by SHA-256). A key's row is
 * cached briefly per instance, and concurrent requests with one key share one lookup, so a busy producer
 * costs the database one indexed read per `cacheMs`, not one per request.
 */
export function createKeyResolver(deps: KeyResolverDeps): KeyResolver {
  const envKey = createSecretCheck(deps.envKeys);
  const cacheMs = deps.cacheMs ?? 500;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { at: number; row: Promise<{ record: ApiKeyRecord; grant: KeyGrant } | null> }>();

  return async (presented) => {
    const fingerprint = envKey(presented);
    if (fingerprint !== null) return fullAccess(fingerprint);
    if (!presented.startsWith(KEY_PREFIX)) return null;
    const hash = hashApiKey(presented);
    const id = hash.toString("base64");
    const t = now();
    let entry = cache.get(id);
    if (entry === undefined || t - entry.at >= cacheMs) {
      const row = findApiKeyByHash(deps.db, hash).then((record) => (record === null ? null : { record, grant: grantOf(record) }));
      const fresh = { at: t, row };
      // A failed lookup is not remembered: the next request asks the database again.
      row.catch(() => cache.get(id) === fresh && cache.delete(id));
      cache.delete(id);
      cache.set(id, fresh);
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
      entry = fresh;
    }
    const found = await entry.row;
    if (found === null || found.record.revokedAt !== null) return null;
    if (found.record.expiresAt !== null && found.record.expiresAt.getTime() <= now()) return null;
    return found.grant;
  };
}

function grantOf(record: ApiKeyRecord): KeyGrant {
  return {
    producer: record.id,
    keyId: record.id,
    scopes: new Set(record.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s))),
    uidPrefix: record.uidPrefix,
    topics: record.topics.length > 0 ? record.topics : null,
    ratePerSecond: record.ratePerSecond,
  };
}
