import type { Logger } from "pino";
import type { RedisClients } from "./create-redis-clients.ts";

export interface PokeChannel {
  /** Tells instance `holder` that these uids (which it holds) have new messages. Fire and forget. */
  send(holder: string, uids: string[]): void;
  /** Tells every instance (this one too) that these messages were cancelled. Fire and forget. */
  cancelled(ids: bigint[]): void;
  close(): Promise<void>;
}

/**
 * Instance-to-instance "read now" for streams another instance holds: each hub subscribes to
 * `<prefix>:poke:<its instance id>`. Losing a poke costs latency only: the holder reads on its own
 * at the latest when its lease lingers out (DELIVERY_LINGER_MS). Cancels go to every hub on
 * `<prefix>:cancel`: whichever holds the uid drops the message if it has read it and not sent it yet.
 */
export async function createPokeChannel(deps: {
  redis: RedisClients;
  prefix: string;
  instance: string;
  logger: Logger;
  onPoke: (uids: string[]) => void;
  onCancelled: (ids: bigint[]) => void;
}): Promise<PokeChannel> {
  const channelOf = (instance: string) => `${deps.prefix}:poke:${instance}`;
  const mine = channelOf(deps.instance);
  const cancels = `${deps.prefix}:cancel`;
  const onMessage = (channel: string, message: string) => {
    if (channel !== mine && channel !== cancels) return;
    try {
      const list: unknown = JSON.parse(message);
      if (!Array.isArray(list)) return;
      const strings = list.filter((u): u is string => typeof u === "string");
      if (channel === mine) deps.onPoke(strings);
      else deps.onCancelled(strings.filter((s) => /^[1-9][0-9]{0,18}$/.test(s)).map(BigInt));
    } catch {
      deps.logger.debug("ignored a malformed poke");
    }
  };
  deps.redis.sub.on("message", onMessage);
  await deps.redis.sub.subscribe(mine, cancels);
  return {
    send(holder, uids) {
      if (deps.redis.pub.status !== "ready" || uids.length === 0) return;
      deps.redis.pub.publish(channelOf(holder), JSON.stringify(uids)).catch(() => undefined);
    },
    cancelled(ids) {
      if (deps.redis.pub.status !== "ready" || ids.length === 0) return;
      deps.redis.pub.publish(cancels, JSON.stringify(ids.map(String))).catch(() => undefined);
    },
    async close() {
      deps.redis.sub.off("message", onMessage);
      await deps.redis.sub.unsubscribe(mine, cancels).catch(() => undefined);
    },
  };
}
