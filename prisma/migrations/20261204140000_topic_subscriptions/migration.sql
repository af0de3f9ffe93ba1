-- Topic subscriptions: which uids a topic reaches. topics.subscribers is the count of its rows, kept by
-- the statements that add and remove them (server/store/topics/), so a topic's size is read in O(1).
CREATE TABLE "topics" (
    "topic" VARCHAR(128) NOT NULL,
    "subscribers" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "topics_pkey" PRIMARY KEY ("topic")
);

CREATE TABLE "topic_subscriptions" (
    "topic" VARCHAR(128) NOT NULL,
    "uid" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "topic_subscriptions_pkey" PRIMARY KEY ("topic","uid")
);

CREATE INDEX "topic_subscriptions_uid_idx" ON "topic_subscriptions"("uid", "topic");
