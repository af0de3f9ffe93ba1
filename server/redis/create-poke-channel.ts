import type { Logger } from "pino";
import type { RedisClients } from "./create-redis-clients.ts";

export interface PokeChannel {
  /** Tells instance `holder` that these uids (which it holds) have new messages. Fire and forget. */
  send(holder: string, uids: string[]): void;
  close(): Promise<void>;
}

/**
 * Instance-to-instance "read now" for streams another instance holds: each hub subscribes to
 * `<prefix>:poke:<its instance id>`. Losing a poke costs latency only: the holder reads on its own
 * at the latest when its lease lingers out (DELIVERY_LINGER_MS).
 */
export async function createPokeChannel(deps: {
  redis: RedisClients;
  prefix: string;
  instance: string;
  logger: Logger;
  onPoke: (uids: string[]) => void;
}): Promise<PokeChannel> {
  const channelOf = (instance: string) => `${deps.prefix}:poke:${instance}`;
  const mine = channelOf(deps.instance);
  const onMessage = (channel: string, message: string) => {
    if (channel !== mine) return;
    try {
      const uids: unknown = JSON.parse(message);
      if (Array.isArray(uids)) deps.onPoke(uids.filter((u): u is string => typeof u === "string"));
    } catch {
      deps.logger.debug("ignored a malformed poke");
    }
  };
  deps.redis.sub.on("message", onMessage);
  await deps.redis.sub.subscribe(mine);
  return {
    send(holder, uids) {
      if (deps.redis.pub.status !== "ready" || uids.length === 0) return;
      deps.redis.pub.publish(channelOf(holder), JSON.stringify(uids)).catch(() => undefined);
    },
    async close() {
      deps.redis.sub.off("message", onMessage);
      await deps.redis.sub.unsubscribe(mine).catch(() => undefined);
    },
  };
}
