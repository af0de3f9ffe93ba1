import { createAdapter } from "@socket.io/redis-adapter";
import type { RedisClients } from "./create-redis-clients.ts";

/**
 * The Socket.IO adapter that carries emits, acks and fetchSockets between instances. Both clients are
 * already `ready` (createRedisClients waits for it).
 */
export function createSocketAdapter(redis: RedisClients, prefix: string) {
  return createAdapter(redis.pub, redis.sub, { key: `${prefix}#sio` });
}
