import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createRedisInboxSlots } from "./create-redis-inbox-slots.ts";
import { createLocalInboxSlots, type InboxSlots } from "./inbox-slots.ts";

/** INBOX_MAX_PER_UID across every instance through Redis when there is one (failing open), else this instance's. */
export function createInboxSlots(o: { max: number; redis?: Redis; prefix: string; logger: Logger }): InboxSlots {
  return o.redis ? createRedisInboxSlots({ redis: o.redis, prefix: o.prefix, max: o.max, logger: o.logger }) : createLocalInboxSlots(o.max);
}
