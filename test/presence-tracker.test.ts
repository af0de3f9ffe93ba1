import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Redis } from "ioredis";
import pino from "pino";
import { sleep, waitFor } from "../loadtest/support/wait-for.ts";
import { createRedisConnectionLimiter } from "../server/realtime/create-redis-connection-limiter.ts";
import { createRedisPresenceTracker } from "../server/realtime/presence/create-redis-presence-tracker.ts";
import type { PresenceChange } from "../server/realtime/presence/presence-tracker.ts";
import { TEST_REDIS_URL } from "./support/env.ts";
import { uniquePrefix } from "./support/test-hub.ts";

const LEASE_MS = 1500; // the limiter renews every second at the fastest
const DEBOUNCE_MS = 400;
const logger = pino({ level: "silent" });
const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of stops) await stop();
});

interface Options {
  /** Runs before a change is recorded: throw to make `record` reject, await to delay it. */
  before?: (changes: PresenceChange[]) => Promise<void>;
  wanted?: () => boolean;
}

/** Two hub instances sharing one Redis: a connection limiter and a presence tracker each. */
async function startCluster(options: Options = {}) {
  const prefix = uniquePrefix();
  const recorded: PresenceChange[] = [];
  const record = async (changes: PresenceChange[]) => {
    await options.before?.(changes);
    recorded.push(...changes);
  };
  const startInstance = async (name: string) => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    await redis.ping();
    const limiter = createRedisConnectionLimiter({ redis, prefix, instance: name, max: 10, logger, leaseMs: LEASE_MS });
    const deps = { redis, prefix, instance: name, logger, leaseMs: LEASE_MS, debounceMs: DEBOUNCE_MS, sweepMs: 100, record };
    const tracker = createRedisPresenceTracker({ ...deps, wanted: options.wanted ?? (() => true) });
    let running = true;
    const crash = async () => {
      if (!running) return;
      running = false;
      limiter.close();
      await tracker.close();
    };
    return {
      redis,
      async connect(uid: string, socketId: string) {
        assert.ok(await limiter.acquire(uid, socketId));
        tracker.joined(uid, socketId);
      },
      disconnect(uid: string, socketId: string) {
        limiter.release(uid, socketId);
        tracker.left(uid, socketId);
      },
      /** Gone without releasing anything: its sockets' leases run out. */
      crash,
      async stop() {
        await crash();
        redis.disconnect();
      },
    };
  };
  const a = await startInstance("a");
  const b = await startInstance("b");
  const stop = async () => {
    await Promise.all([a.stop(), b.stop()]);
    const cleanup = new Redis(TEST_REDIS_URL);
    const keys = await cleanup.keys(`${prefix}:*`);
    if (keys.length > 0) await cleanup.del(...keys);
    cleanup.disconnect();
  };
  stops.push(stop);
  const types = () => recorded.map((c) => `${c.type} ${c.uid}`);
  return { a, b, prefix, recorded, types };
}

test("first socket anywhere → online; one more on the other instance → nothing; last gone → offline after the debounce", async () => {
  const { a, b, recorded, types } = await startCluster();
  const joinedAt = Date.now();
  await a.connect("u1", "s1");
  await waitFor(() => recorded.length === 1, "online");
  assert.deepEqual(types(), ["user.online u1"]);
  assert.ok(Math.abs(recorded[0]!.at.getTime() - joinedAt) < 200);

  await b.connect("u1", "s2");
  a.disconnect("u1", "s1");
  await sleep(DEBOUNCE_MS + 400);
  assert.deepEqual(types(), ["user.online u1"], "a socket is left on instance b");

  const leftAt = Date.now();
  b.disconnect("u1", "s2");
  await waitFor(() => recorded.length === 2, "offline");
  assert.ok(Date.now() - leftAt >= DEBOUNCE_MS, "not before the debounce");
  assert.deepEqual(types(), ["user.online u1", "user.offline u1"]);
  assert.ok(Math.abs(recorded[1]!.at.getTime() - leftAt) < 100, "at = when the last socket left");
  await sleep(300);
  assert.equal(recorded.length, 2, "reported once");
});

test("a reconnect within the debounce (on either instance) produces neither event", async () => {
  const { a, b, types } = await startCluster();
  await a.connect("u2", "s1");
  await waitFor(() => types().length === 1, "online");
  a.disconnect("u2", "s1");
  await sleep(DEBOUNCE_MS / 2);
  await b.connect("u2", "s2");
  await sleep(DEBOUNCE_MS + 400);
  assert.deepEqual(types(), ["user.online u2"]);
});

test("an instance that crashes: another instance's sweeper reports offline after lease + debounce", async () => {
  const { a, recorded, types } = await startCluster();
  await a.connect("u3", "s1");
  await waitFor(() => recorded.length === 1, "online");
  const crashedAt = Date.now();
  await a.crash();
  await waitFor(() => recorded.length === 2, "offline reported by instance b", LEASE_MS + DEBOUNCE_MS + 3000);
  const latency = Date.now() - crashedAt;
  assert.deepEqual(types(), ["user.online u3", "user.offline u3"]);
  assert.ok(latency >= DEBOUNCE_MS && latency <= LEASE_MS + DEBOUNCE_MS + 1000, `latency ${latency} ms`);
  assert.ok(recorded[1]!.at.getTime() <= Date.now() - DEBOUNCE_MS, "at = when the lease ran out");
});

test("an offline whose record fails is retried until it is recorded", async () => {
  let failures = 0;
  const { a, types } = await startCluster({
    before: async (changes) => {
      if (changes[0]?.type === "user.offline" && failures++ === 0) throw new Error("database down");
    },
  });
  await a.connect("u4", "s1");
  await waitFor(() => types().length === 1, "online");
  a.disconnect("u4", "s1");
  await waitFor(() => types().length === 2, "offline after a retry");
  assert.equal(failures, 2);
  assert.deepEqual(types(), ["user.online u4", "user.offline u4"]);
});

test("an online whose record fails is announced on the next connect", async () => {
  let failures = 0;
  const { a, b, types } = await startCluster({
    before: async () => {
      if (failures++ === 0) throw new Error("database down");
    },
  });
  await a.connect("u5", "s1");
  await waitFor(() => failures === 1, "the failed record");
  await sleep(100);
  a.disconnect("u5", "s1");
  await sleep(DEBOUNCE_MS + 300);
  assert.deepEqual(types(), [], "never announced, so no offline either");
  await b.connect("u5", "s2");
  await waitFor(() => types().length === 1, "online on the next connect");
  assert.deepEqual(types(), ["user.online u5"]);
});

test("a reconnect while the offline is being recorded is followed by an online", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  const { a, b, types } = await startCluster({
    before: async (changes) => {
      if (changes[0]?.type !== "user.offline") return;
      held = true;
      await gate;
    },
  });
  await a.connect("u6", "s1");
  await waitFor(() => types().length === 1, "online");
  a.disconnect("u6", "s1");
  await waitFor(() => held, "the offline being recorded");
  await b.connect("u6", "s2");
  release();
  await waitFor(() => types().length === 3, "online again");
  assert.deepEqual(types(), ["user.online u6", "user.offline u6", "user.online u6"]);
  await sleep(LEASE_MS + 300);
  assert.equal(types().length, 3, "still online: its socket on b renews it");
});

test("while no endpoint wants user events, joins and leaves write nothing to Redis", async () => {
  const { a, b, prefix, recorded } = await startCluster({ wanted: () => false });
  await a.connect("u7", "s1");
  await b.connect("u7", "s2");
  a.disconnect("u7", "s1");
  b.disconnect("u7", "s2");
  await sleep(DEBOUNCE_MS + 300);
  assert.deepEqual(await a.redis.keys(`${prefix}:presence*`), []);
  assert.deepEqual(recorded, []);
});
