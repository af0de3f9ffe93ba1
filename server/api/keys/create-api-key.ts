import { randomUUID } from "node:crypto";
import { insertApiKey, type ApiKeyRecord } from "../../store/api-keys.ts";
import type { Db } from "../../store/prisma.ts";
import type { KeyInput } from "../validation/key-input.ts";
import { newApiKeySecret } from "./api-key-secret.ts";

/** What a key's listing shows: everything but the secret, which is shown once, at creation. */
export interface ApiKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  uidPrefix: string | null;
  topics: string[] | null;
  ratePerSecond: number | null;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export const toApiKeyView = (r: ApiKeyRecord): ApiKeyView => ({
  id: r.id,
  name: r.name,
  keyPrefix: r.keyPrefix,
  scopes: r.scopes,
  uidPrefix: r.uidPrefix,
  topics: r.topics.length > 0 ? r.topics : null,
  ratePerSecond: r.ratePerSecond,
  expiresAt: r.expiresAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/** Stores a new key (only its hash) and returns it with the secret, which nothing can show again. */
export async function createApiKey(db: Db, input: KeyInput, now = new Date()): Promise<ApiKeyView & { key: string }> {
  const { key, hash, shown } = newApiKeySecret();
  const record = await insertApiKey(db, {
    id: randomUUID(),
    name: input.name,
    keyHash: hash,
    keyPrefix: shown,
    scopes: [...new Set(input.scopes)],
    uidPrefix: input.uidPrefix ?? null,
    topics: input.topics ?? [],
    ratePerSecond: input.ratePerSecond ?? null,
    expiresAt: input.expiresInSeconds === undefined ? null : new Date(now.getTime() + input.expiresInSeconds * 1000),
  });
  return { ...toApiKeyView(record), key };
}
