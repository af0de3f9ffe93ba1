-- CreateIndex
CREATE INDEX "messages_uid_inflight_idx" ON "messages"("to_uid", "status", "next_attempt_at");
