import type { Redis } from "ioredis";

// KEYS[1] = one sorted set of slots (member = the holder's id, score = its lease end); ARGV = member, max,
// now, leaseMs. Expired slots are dropped first; a member that already holds a slot keeps it (renewed).
const ACQUIRE_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

const COMMAND = "pushHubAcquireLeasedSlot";
type WithCommand = Redis & { [COMMAND](key: string, member: string, max: number, now: number, leaseMs: number): Promise<number> };

/**
 * At most `max` leased slots under one key, taken atomically (a uid's sockets, a uid's inbox requests): a
 * slot frees itself when its lease ends unrenewed, so a crashed instance's slots do not stay taken.
 * Returns `acquire(key, member, max, leaseMs)`, resolving 1 when the member holds a slot, 0 when full.
 */
export function defineLeasedSlots(redis: Redis) {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: ACQUIRE_LUA });
  const client = redis as WithCommand;
  return (key: string, member: string, max: number, leaseMs: number): Promise<number> => client[COMMAND](key, member, max, Date.now(), leaseMs);
}
