interface EmitReadinessDeps {
  /** True while this instance's own Redis clients (publisher and subscriber) are connected. */
  clientsReady: () => boolean;
  /** How many instances are subscribed to the adapter's channel now (PUBSUB NUMSUB). */
  serverCount: () => Promise<number>;
  /** After a reconnect, emits wait at most this long for the other instances to subscribe again. */
  settleMs: number;
  /** Called when emits may go out again after a reconnect (so delivery need not wait for its cron). */
  onSettled?: () => void;
  /** How often the count is sampled while settling (and 10× less often otherwise). */
  sampleMs?: number;
  now?: () => number;
}

/**
 * Whether emits can reach the whole cluster. After Redis comes back every instance re-subscribes on its
 * own reconnect schedule; an emit published before the instance holding the uid's sockets has
 * re-subscribed is silently lost while a later one arrives, so the uid's client would see the later
 * message first. So after this instance reconnects it waits until as many instances are subscribed as
 * before the outage, or `settleMs` after its reconnect (an instance that died meanwhile must not hold
 * emits forever).
 */
export function createEmitReadiness(deps: EmitReadinessDeps) {
  const now = deps.now ?? Date.now;
  const sampleMs = deps.sampleMs ?? 100;
  let healthyCount = 0;
  let settling: { target: number; backAt: number | null } | null = null;
  let sampling = false;
  let lastSample = -Infinity;

  const settled = () => {
    settling = null;
    deps.onSettled?.();
  };

  const sample = () => {
    if (sampling || now() - lastSample < (settling ? sampleMs : sampleMs * 10)) return;
    sampling = true;
    lastSample = now();
    deps.serverCount().then(
      (count) => {
        sampling = false;
        if (!deps.clientsReady()) return;
        if (!settling) healthyCount = count;
        else if (settling.backAt !== null && count >= settling.target) settled();
      },
      () => (sampling = false),
    );
  };

  return {
    ready(): boolean {
      if (!deps.clientsReady()) {
        // Alone before the outage, nobody else has to come back.
        if (!settling && healthyCount > 1) settling = { target: healthyCount, backAt: null };
        if (settling) settling.backAt = null;
        return false;
      }
      if (settling) {
        settling.backAt ??= now();
        if (now() - settling.backAt >= deps.settleMs) settled();
      }
      sample();
      return settling === null;
    },
  };
}
