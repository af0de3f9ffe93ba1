/** What an API key may do: publish messages, read (GET routes), manage (cancel, mark read, subscriptions), admin (keys, webhooks). */
export const SCOPES = ["publish", "read", "manage", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** What the key that authenticated a request may do, and as whom the hub records it. */
export interface KeyGrant {
  /**
   * Recorded as the messages' producer; idempotency keys and rate buckets are per producer. A database
   * key's id, or the fingerprint of a HUB_API_KEYS key (never the key).
   */
  producer: string;
  /** The database key's id; null for a HUB_API_KEYS key. */
  keyId: string | null;
  scopes: ReadonlySet<Scope>;
  /** Only uids starting with this; null: any uid. */
  uidPrefix: string | null;
  /** Only topics matching one of these patterns; null: any topic. */
  topics: readonly string[] | null;
  /** Requests per second of its own; null: the hub's RATE_LIMIT_PER_SECOND. */
  ratePerSecond: number | null;
}

/** A HUB_API_KEYS key: every scope, every uid and topic, the default rate. */
export const fullAccess = (fingerprint: string): KeyGrant => ({
  producer: fingerprint,
  keyId: null,
  scopes: new Set(SCOPES),
  uidPrefix: null,
  topics: null,
  ratePerSecond: null,
});
