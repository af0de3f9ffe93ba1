// The alert rules are valid (promtool check rules), and each fires exactly where it should on series a
// real hub exported: the test produces a condition on a hub (healthy traffic, a blocked event loop, the
// database gone, clients that never ack, webhook endpoints that fail, the hub stopped), scrapes it before
// and after, and promtool evaluates the rules over an hour of those series.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { sleep, waitFor } from "../../loadtest/support/wait-for.ts";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { readLabelledMetric, readMetric } from "../support/metrics.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";
import { cutDatabase, restoreDatabase } from "../support/database-outage.ts";
import { sendAcked, sendQueued } from "./support/hub-traffic.ts";
import { readRules, ruleExpressions, RULES_FILE } from "./support/ops-expressions.ts";
import { promtool } from "./support/promtool.ts";
import { promtoolTestFile, type Window } from "./support/promtool-unit-test.ts";
import { scrape, type StoredSeries, type Target } from "./support/scraped-series.ts";
import { startStatusReceiver, type StatusReceiver } from "./support/status-receiver.ts";
import { createWebhook, publishExpiring, waitForAttempts, waitForPending } from "./support/webhook-traffic.ts";

let db: TestDatabase;
let hub: TestHub;
let target: Target;
let receiver: StatusReceiver;
// Endpoints there from the start, so their series are in every situation: one accepts every POST, one
// every other (failures among successes are no alert).
let acceptingEndpoint: string;
let flakyEndpoint: string;
const clients: TestClient[] = [];
const dir = mkdtempSync(join(tmpdir(), "push-hub-alerts-"));

before(async () => {
  promtool(["--version"]); // without it, fail here rather than after the hub's scenarios
  db = await createTestDatabase("alerts");
  // Short ack timeouts and backoffs, so clients that never ack show within seconds.
  hub = await startTestHub(db.url, {
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: uniquePrefix(),
    ACK_TIMEOUT_MS: "1000",
    RETRY_BASE_MS: "100",
    RETRY_MAX_MS: "400",
    // Three attempts within a second: a failing endpoint's POSTs end failed quickly.
    WEBHOOK_RETRY_SCHEDULE: "200ms,200ms",
  });
  target = { job: "push-hub", instance: `127.0.0.1:${hub.port}` };
  receiver = await startStatusReceiver();
  acceptingEndpoint = await createWebhook(hub.url, receiver.answering(204));
  flakyEndpoint = await createWebhook(hub.url, receiver.flaky);
});
after(async () => {
  if (db) await restoreDatabase(db.name).catch(() => undefined);
  for (const c of clients) c.close();
  await receiver?.stop();
  await hub?.stop();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A scrape, plus the `up` Prometheus records for it. */
async function scrapeUp(): Promise<StoredSeries[]> {
  return [{ name: "up", labels: { ...target }, value: 1, type: "gauge" }, ...(await scrape(hub.url, target))];
}

/** Scrapes before and after `produce`, timing the window between the two. */
async function window(produce: () => Promise<void>): Promise<Window> {
  const before = await scrapeUp();
  const start = Date.now();
  await produce();
  const after = await scrapeUp();
  return { before, after, seconds: (Date.now() - start) / 1000 };
}

function assertFiring(name: string, w: Window, firing: string[]): void {
  const file = join(dir, `${name}.test.json`);
  writeFileSync(file, promtoolTestFile(RULES_FILE, w, firing));
  const run = promtool(["test", "rules", file]);
  assert.equal(run.status, 0, `${name}: expected exactly [${firing.join(", ")}] to fire\n${run.output}`);
}

test("promtool check rules accepts the rule file and counts every rule the tests read", () => {
  const run = promtool(["check", "rules", RULES_FILE]);
  assert.equal(run.status, 0, run.output);
  const count = /SUCCESS: (\d+) rules found/.exec(run.output)?.[1];
  assert.equal(Number(count), ruleExpressions(readRules()).length, run.output);
});

test("healthy traffic (messages sent and acked, their delivered events accepted) fires nothing", { timeout: 60_000 }, async () => {
  const client = await connectClient(hub.url, "healthy-1");
  clients.push(client);
  const w = await window(async () => {
    await sendAcked(hub.url, client, 20);
    await hub.hub.housekeeping.runOnce();
    await waitForAttempts(hub.url, acceptingEndpoint, "sent");
    await waitForAttempts(hub.url, flakyEndpoint, "retry");
    await waitForAttempts(hub.url, flakyEndpoint, "sent");
  });
  assertFiring("healthy", w, []);
});

test("a blocked event loop fires PushHubEventLoopLagHigh", { timeout: 60_000 }, async () => {
  const w = await window(async () => {
    for (let i = 0; i < 10; i++) {
      const until = Date.now() + 300;
      while (Date.now() < until); // the hub runs in this process: its event loop is this one
      await new Promise((r) => setImmediate(r));
    }
  });
  assertFiring("event-loop", w, ["PushHubEventLoopLagHigh"]);
});

test("the database gone fires PushHubNotReady and PushHubHousekeepingFailing", { timeout: 90_000 }, async () => {
  await cutDatabase(db.name);
  let w: Window;
  try {
    w = await window(() => sleep(3000));
  } finally {
    await restoreDatabase(db.name);
  }
  assertFiring("database-gone", w, ["PushHubHousekeepingFailing", "PushHubNotReady"]);
  await waitFor(async () => (await fetch(`${hub.url}/readyz`)).status === 200, "ready again", 20_000, 200);
});

test("clients that never ack fire PushHubDeliveryStalled, PushHubRedeliveryRatioHigh and PushHubAckTimeoutsHigh", { timeout: 60_000 }, async () => {
  const mute = await Promise.all(["mute-1", "mute-2"].map((uid) => connectClient(hub.url, uid, { acking: false })));
  clients.push(...mute);
  for (const c of mute) await sendQueued(hub.url, c.uid, 10);
  // The window opens once their messages go round (sent, timed out, sent again): a hub just back from
  // the database outage takes a few seconds to send at all.
  await waitFor(async () => (await readMetric(hub.url, "pushhub_ack_timeouts_total")) >= 2, "ack timeouts", 30_000, 200);
  const w = await window(async () => {
    await sleep(4000);
    await hub.hub.housekeeping.runOnce();
  });
  assertFiring("never-acked", w, ["PushHubAckTimeoutsHigh", "PushHubDeliveryStalled", "PushHubRedeliveryRatioHigh"]);
});

// Last before the hub stops: in promtool's hour every series of a window is new, so the 410's series would
// count as a fresh disable in any situation after this one.
test("webhook endpoints that fail, answer 410 and fall behind fire WebhookEndpointFailing, WebhookEndpointDisabled and WebhookBacklogGrowing", { timeout: 60_000 }, async () => {
  // The clients that never ack would keep the delivery alerts firing.
  for (const c of clients.filter((c) => c.uid.startsWith("mute-"))) c.close();
  // A client of its own, so this situation does not depend on what the earlier ones left connected.
  const client = await connectClient(hub.url, "webhooks-1");
  clients.push(client);
  const failing = await createWebhook(hub.url, receiver.answering(500));
  const gone = await createWebhook(hub.url, receiver.answering(410));
  const behind = await createWebhook(hub.url, receiver.holding, ["message.expired"]);
  // Over 10,000 events for the endpoint that never answers: messages to an offline uid that expire in
  // a second, reported by the expiry sweep.
  await publishExpiring(hub.url, "expiring-1", 10_001);
  await sleep(1100);
  const sentBefore = await readLabelledMetric(hub.url, "pushhub_webhook_attempts_total", { endpoint: acceptingEndpoint, outcome: "sent" });
  const w = await window(async () => {
    await hub.hub.housekeeping.runOnce();
    await sendAcked(hub.url, client, 5);
    await waitForAttempts(hub.url, failing, "failed");
    await waitForAttempts(hub.url, gone, "disable");
    await waitForAttempts(hub.url, acceptingEndpoint, "sent", sentBefore + 1);
    await waitForPending(hub.url, behind, 10_001);
  });
  await receiver.stop(); // ends the held POSTs, which the stopping hub would otherwise wait for
  assertFiring("webhooks", w, ["WebhookBacklogGrowing", "WebhookEndpointDisabled", "WebhookEndpointFailing"]);
});

test("a stopped hub fires PushHubDown alone", { timeout: 60_000 }, async () => {
  await hub.stop();
  await assert.rejects(scrape(hub.url, target), "the stopped hub does not answer");
  const down: StoredSeries[] = [{ name: "up", labels: { ...target }, value: 0, type: "gauge" }];
  assertFiring("stopped", { before: [], after: down, seconds: 1 }, ["PushHubDown"]);
});
