import { createHash } from "node:crypto";
import type { NewMessage } from "../../store/new-message.ts";

/** Digest of what a request asks to store (not of when it arrived): replays of one request share it. */
export function requestHash(messages: NewMessage[]): string {
  const canonical = JSON.stringify(messages.map((m) => [m.uid, m.body, m.type, m.clientType, m.ttlSeconds]));
  return createHash("sha256").update(canonical).digest("hex");
}
