-- API keys kept in the database (scoped: publish, read, manage, admin; optionally to a uid prefix and
-- topic patterns, with their own rate and expiry). Only the SHA-256 of a key is stored; lookups go by it.
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "key_hash" BYTEA NOT NULL,
    "key_prefix" VARCHAR(16) NOT NULL,
    "scopes" TEXT[],
    "uid_prefix" VARCHAR(128),
    "topics" TEXT[],
    "rate_per_second" INTEGER,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");
