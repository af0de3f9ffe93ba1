import type { Redis } from "ioredis";

/** What a Redis call that may not wait long came to: its reply, or why there is none. */
type RedisAttempt<T> = { ok: true; reply: T } | { ok: false; reason: string };

/**
 * Runs `call` only while the client is connected and waits at most `timeoutMs` for it. Never rejects:
 * callers that fail open (allow whatever Redis cannot decide) get the reason to log instead.
 */
export async function tryRedis<T>(
  redis: Pick<Redis, "status">,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<RedisAttempt<T>> {
  // ioredis queues commands while disconnected (maxRetriesPerRequest: null): never wait on that.
  if (redis.status !== "ready") return { ok: false, reason: `redis ${redis.status}` };
  let timer: NodeJS.Timeout | undefined;
  try {
    // The command keeps running when the timeout wins; its later failure must not go unhandled.
    const command = call().then(
      (reply): RedisAttempt<T> => ({ ok: true, reply }),
      (err: unknown): RedisAttempt<T> => ({ ok: false, reason: (err as Error).message }),
    );
    const timeout = new Promise<RedisAttempt<T>>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `no reply within ${timeoutMs} ms` }), timeoutMs);
    });
    return await Promise.race([command, timeout]);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
