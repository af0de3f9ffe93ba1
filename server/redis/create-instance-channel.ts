import type { Logger } from "pino";
import type { RelayNotice, RelayPort } from "../delivery/relay-notice.ts";
import type { RedisClients } from "./create-redis-clients.ts";

interface ChannelListener {
  onNotices: (from: string, notices: RelayNotice[]) => void;
  onCancelled: (ids: bigint[]) => void;
}

export interface InstanceChannel extends RelayPort {
  /** Tells every instance (this one too) that these messages were cancelled. Fire and forget. */
  cancelled(ids: bigint[]): void;
  /** Where what arrives goes (before this, it is dropped). */
  listen(listener: ChannelListener): void;
  close(): Promise<void>;
}

const NOTICE_TYPES = new Set(["append", "grant", "join", "notHeld", "frame", "ack", "leave", "end"]);

/**
 * Instance-to-instance notices about the uids they deliver: each hub subscribes to
 * `<prefix>:node:<its instance id>`; notices to one instance within a tick go out as one PUBLISH
 * (`{"from", "notices": [...]}`), in order (one publisher connection, one subscriber: Redis keeps the
 * order). Nothing is queued while Redis is away: a lost notice costs latency, never a message (see
 * relay-notice.ts). Cancels go to every hub on `<prefix>:cancel`.
 */
export async function createInstanceChannel(deps: {
  redis: RedisClients;
  prefix: string;
  instance: string;
  logger: Logger;
}): Promise<InstanceChannel> {
  const channelOf = (instance: string) => `${deps.prefix}:node:${instance}`;
  const mine = channelOf(deps.instance);
  const cancels = `${deps.prefix}:cancel`;
  const outbox = new Map<string, RelayNotice[]>();
  let flushing = false;
  let listener: ChannelListener | undefined;

  const flush = () => {
    flushing = false;
    for (const [to, notices] of outbox) {
      if (deps.redis.pub.status !== "ready") break;
      deps.redis.pub.publish(channelOf(to), JSON.stringify({ from: deps.instance, notices })).catch(() => undefined);
    }
    outbox.clear();
  };

  const onMessage = (channel: string, message: string) => {
    if (channel !== mine && channel !== cancels) return;
    try {
      const parsed: unknown = JSON.parse(message);
      if (channel === cancels) {
        if (!Array.isArray(parsed)) return;
        const ids = parsed.filter((s): s is string => typeof s === "string" && /^[1-9][0-9]{0,18}$/.test(s));
        return listener?.onCancelled(ids.map(BigInt));
      }
      const { from, notices } = parsed as { from?: unknown; notices?: unknown };
      if (typeof from !== "string" || !Array.isArray(notices)) return;
      const valid = notices.filter((n): n is RelayNotice => typeof n === "object" && n !== null && NOTICE_TYPES.has((n as { t?: unknown }).t as string));
      listener?.onNotices(from, valid);
    } catch (err) {
      deps.logger.debug({ err }, "ignored a malformed instance notice");
    }
  };
  deps.redis.sub.on("message", onMessage);
  await deps.redis.sub.subscribe(mine, cancels);

  return {
    send(to, notice) {
      if (deps.redis.pub.status !== "ready") return;
      const list = outbox.get(to);
      if (list) list.push(notice);
      else outbox.set(to, [notice]);
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    },
    cancelled(ids) {
      if (deps.redis.pub.status !== "ready" || ids.length === 0) return;
      deps.redis.pub.publish(cancels, JSON.stringify(ids.map(String))).catch(() => undefined);
    },
    listen(l) {
      listener = l;
    },
    async close() {
      listener = undefined;
      deps.redis.sub.off("message", onMessage);
      await deps.redis.sub.unsubscribe(mine, cancels).catch(() => undefined);
    },
  };
}
