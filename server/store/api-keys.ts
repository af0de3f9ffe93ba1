import type { Db } from "./prisma.ts";
import { failAsUnavailable } from "./store-unavailable-error.ts";

/** An api_keys row (the secret itself is never stored: only its SHA-256). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  uidPrefix: string | null;
  topics: string[];
  ratePerSecond: number | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const columns = {
  id: true,
  name: true,
  keyPrefix: true,
  scopes: true,
  uidPrefix: true,
  topics: true,
  ratePerSecond: true,
  expiresAt: true,
  revokedAt: true,
  createdAt: true,
} as const;

export type NewApiKey = Omit<ApiKeyRecord, "revokedAt" | "createdAt"> & { keyHash: Buffer };

export function insertApiKey(db: Db, key: NewApiKey): Promise<ApiKeyRecord> {
  return db.apiKey
    .create({ data: { ...key, keyHash: new Uint8Array(key.keyHash) }, select: columns })
    .catch(failAsUnavailable("could not store the API key"));
}

/** The key whose SHA-256 is `hash`, revoked and expired ones included (the caller decides). */
export function findApiKeyByHash(db: Db, hash: Buffer): Promise<ApiKeyRecord | null> {
  return db.apiKey
    .findUnique({ where: { keyHash: new Uint8Array(hash) }, select: columns })
    .catch(failAsUnavailable("could not check the API key"));
}

/** Every key, newest first, revoked ones included. */
export function listApiKeys(db: Db): Promise<ApiKeyRecord[]> {
  return db.apiKey.findMany({ select: columns, orderBy: { createdAt: "desc" } }).catch(failAsUnavailable("could not list API keys"));
}

/** Revokes a key (idempotent: a revoked key keeps its first revocation time); null when there is none. */
export async function revokeApiKey(db: Db, id: string): Promise<ApiKeyRecord | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ${id}::uuid RETURNING id`.catch(
    failAsUnavailable("could not revoke the API key"),
  );
  if (rows.length === 0) return null;
  return db.apiKey.findUnique({ where: { id }, select: columns }).catch(failAsUnavailable("could not read the API key"));
}
