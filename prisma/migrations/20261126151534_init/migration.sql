-- CreateEnum
CREATE TYPE "message_status" AS ENUM ('queued', 'delivered', 'read', 'expired');

-- CreateTable
CREATE TABLE "messages" (
    "noce_ack" BIGSERIAL NOT NULL,
    "to_uid" VARCHAR(128) NOT NULL,
    "status" "message_status" NOT NULL DEFAULT 'queued',
    "msg_type" INTEGER NOT NULL DEFAULT 4,
    "client_type" INTEGER NOT NULL DEFAULT 0,
    "msg_extend" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3),
    "producer" VARCHAR(64) NOT NULL DEFAULT '',
    "idempotency_key" VARCHAR(255),
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "update_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("noce_ack")
);

-- CreateIndex
CREATE INDEX "messages_due_idx" ON "messages"("status", "next_attempt_at", "noce_ack");

-- CreateIndex
CREATE INDEX "messages_uid_history_idx" ON "messages"("to_uid", "noce_ack");

-- CreateIndex
CREATE INDEX "messages_uid_status_idx" ON "messages"("to_uid", "status", "noce_ack");

-- CreateIndex
CREATE INDEX "messages_expiry_idx" ON "messages"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "messages_producer_idempotency_key_key" ON "messages"("producer", "idempotency_key");
