import assert from "node:assert/strict";
import { after, test } from "node:test";
import pino from "pino";
import { sleep, waitFor } from "../../../loadtest/support/wait-for.ts";
import { createLocalPresenceTracker } from "./create-local-presence-tracker.ts";
import type { PresenceChange, PresenceTracker } from "./presence-tracker.ts";

const DEBOUNCE_MS = 100;
const trackers: PresenceTracker[] = [];
after(() => Promise.all(trackers.map((t) => t.close())));

function setup(options: { before?: (changes: PresenceChange[]) => Promise<void>; wanted?: () => boolean } = {}) {
  const recorded: PresenceChange[] = [];
  const tracker = createLocalPresenceTracker({
    record: async (changes) => {
      await options.before?.(changes);
      recorded.push(...changes);
    },
    wanted: options.wanted ?? (() => true),
    debounceMs: DEBOUNCE_MS,
    logger: pino({ level: "silent" }),
    sweepMs: 10,
  });
  trackers.push(tracker);
  return { tracker, recorded, types: () => recorded.map((c) => `${c.type} ${c.uid}`) };
}

test("first socket → online; more sockets → nothing; the last one gone → offline after the debounce, at its leave", async () => {
  const { tracker, recorded, types } = setup();
  tracker.joined("u", "s1");
  tracker.joined("u", "s2");
  await waitFor(() => recorded.length === 1, "online");
  tracker.left("u", "s1");
  await sleep(DEBOUNCE_MS * 2);
  assert.deepEqual(types(), ["user.online u"]);
  const leftAt = Date.now();
  tracker.left("u", "s2");
  await waitFor(() => recorded.length === 2, "offline");
  assert.ok(Date.now() - leftAt >= DEBOUNCE_MS);
  assert.deepEqual(types(), ["user.online u", "user.offline u"]);
  assert.ok(Math.abs(recorded[1]!.at.getTime() - leftAt) < 20);
});

test("a reconnect within the debounce produces neither event; uids are independent", async () => {
  const { tracker, types } = setup();
  tracker.joined("u", "s1");
  tracker.joined("v", "t1");
  tracker.left("u", "s1");
  tracker.left("v", "t1");
  await sleep(DEBOUNCE_MS / 2);
  tracker.joined("u", "s2");
  await sleep(DEBOUNCE_MS * 2);
  assert.deepEqual(types(), ["user.online u", "user.online v", "user.offline v"]);
});

test("a failed offline is retried; a failed online is announced on the next connect", async () => {
  const failures = new Map<string, number>();
  const { tracker, types } = setup({
    before: async (changes) => {
      const type = changes[0]!.type;
      failures.set(type, (failures.get(type) ?? 0) + 1);
      if (failures.get(type) === 1) throw new Error("database down");
    },
  });
  tracker.joined("u", "s1");
  await waitFor(() => failures.get("user.online") === 1, "online fails");
  tracker.left("u", "s1");
  await sleep(DEBOUNCE_MS * 2);
  assert.deepEqual(types(), [], "never announced, so no offline");
  tracker.joined("u", "s2");
  await waitFor(() => types().length === 1, "online on the next connect");
  tracker.left("u", "s2");
  await waitFor(() => types().length === 2, "offline after a retry");
  assert.equal(failures.get("user.offline"), 2);
  assert.deepEqual(types(), ["user.online u", "user.offline u"]);
});

test("a reconnect while the offline is being recorded is followed by an online", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  const { tracker, types } = setup({
    before: async (changes) => {
      if (changes[0]?.type !== "user.offline") return;
      held = true;
      await gate;
    },
  });
  tracker.joined("u", "s1");
  tracker.left("u", "s1");
  await waitFor(() => held, "offline being recorded");
  tracker.joined("u", "s2");
  release();
  await waitFor(() => types().length === 3, "online again");
  assert.deepEqual(types(), ["user.online u", "user.offline u", "user.online u"]);
});

test("while unwanted nothing is announced; a socket joined then still counts for the last-socket check", async () => {
  let wanted = false;
  const { tracker, types } = setup({ wanted: () => wanted });
  tracker.joined("u", "s1");
  await sleep(DEBOUNCE_MS);
  assert.deepEqual(types(), []);
  wanted = true;
  tracker.joined("u", "s2");
  await waitFor(() => types().length === 1, "online on the next connect");
  tracker.left("u", "s2");
  await sleep(DEBOUNCE_MS * 2);
  assert.deepEqual(types(), ["user.online u"], "s1 is still connected");
  tracker.left("u", "s1");
  await waitFor(() => types().length === 2, "offline");
});
