import type { Config } from "../../config/config-schema.ts";

/**
 * Largest body for a one-message request: room for a `msg` at MESSAGE_MAX_BYTES even when every
 * character arrives \u-escaped (up to 6 bytes), plus the other fields; never above BODY_MAX_BYTES.
 * The message's own size is then checked exactly (413 message_too_large).
 */
export const singleBodyLimit = (config: Pick<Config, "bodyMaxBytes" | "messageMaxBytes">) =>
  Math.min(config.bodyMaxBytes, config.messageMaxBytes * 6 + 64 * 1024);
