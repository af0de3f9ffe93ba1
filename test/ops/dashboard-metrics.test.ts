// Every metric, label and grouping label the Grafana dashboard and the alert rules name is one a real hub
// exports (as Prometheus stores it), and every pushhub_* metric the hub exports has a panel.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { connectClient, type TestClient } from "../support/client.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { TEST_REDIS_URL } from "../support/env.ts";
import { api } from "../support/http.ts";
import { startTestHub, uniquePrefix, type TestHub } from "../support/test-hub.ts";
import { unknownReferences } from "./support/check-references.ts";
import { cutDatabase, restoreDatabase } from "../support/database-outage.ts";
import { sendAcked } from "./support/hub-traffic.ts";
import { dashboardExpressions, readDashboard, readRules, ruleExpressions, withoutVariables, type Expression } from "./support/ops-expressions.ts";
import { promtool } from "./support/promtool.ts";
import { referencesOf } from "./support/promql-references.ts";
import { scrape, type StoredSeries } from "./support/scraped-series.ts";
import { startStatusReceiver, type StatusReceiver } from "./support/status-receiver.ts";
import { createWebhook, waitForAttempts, waitForPending } from "./support/webhook-traffic.ts";

let db: TestDatabase;
let hub: TestHub;
let client: TestClient | undefined;
let receiver: StatusReceiver | undefined;
let series: StoredSeries[];

before(async () => {
  db = await createTestDatabase("dashboard");
  // One retry, so a failing endpoint's POSTs are retried once and then failed.
  hub = await startTestHub(db.url, { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), WEBHOOK_RETRY_SCHEDULE: "100ms" });
  // Webhook series exist once an endpoint was attempted: endpoints that accept, fail and answer 410 Gone,
  // each sent the delivered events of the messages below.
  receiver = await startStatusReceiver();
  const endpoints = {
    sent: await createWebhook(hub.url, receiver.answering(204)),
    failed: await createWebhook(hub.url, receiver.answering(500)),
    disable: await createWebhook(hub.url, receiver.answering(410)),
  };
  client = await connectClient(hub.url, "dashboard-1");
  await sendAcked(hub.url, client, 5);
  await client.socket.timeout(5000).emitWithAck("sync", { limit: 10 });
  assert.equal((await api(hub.url, "GET", "/api/messages/999999")).status, 404);
  // Housekeeping's runs, failed ones too (result="failed" is what an alert selects).
  await hub.hub.housekeeping.runOnce();
  await cutDatabase(db.name);
  try {
    await hub.hub.housekeeping.runOnce();
  } finally {
    await restoreDatabase(db.name);
  }
  await waitForAttempts(hub.url, endpoints.sent, "sent");
  await waitForAttempts(hub.url, endpoints.failed, "retry");
  await waitForAttempts(hub.url, endpoints.failed, "failed");
  await waitForAttempts(hub.url, endpoints.disable, "disable");
  // The gauge lists an endpoint from its next computation (every 5 s; a database outage empties it till then).
  await waitForPending(hub.url, endpoints.sent);
  const target = { job: "push-hub", instance: `127.0.0.1:${hub.port}` };
  // Prometheus adds `up` for every target it scrapes; the rest is what the hub exports.
  series = [{ name: "up", labels: target, value: 1, type: "gauge" }, ...(await scrape(hub.url, target))];
});
after(async () => {
  if (db) await restoreDatabase(db.name).catch(() => undefined);
  client?.close();
  await receiver?.stop();
  await hub?.stop();
  await db?.drop();
});

const problems = (expressions: Expression[]) =>
  expressions.flatMap(({ where, expr }) => unknownReferences(expr, series).map((p) => `${where}: ${p}`));

test("every metric, label and grouping label the dashboard's panels and variables name is exported by the hub", () => {
  const expressions = dashboardExpressions(readDashboard());
  assert.ok(expressions.length >= 30, `only ${expressions.length} expressions found in the dashboard`);
  assert.deepEqual(problems(expressions), []);
});

test("every metric and label the alert rules name is exported by the hub (or is Prometheus's own `up`)", () => {
  const expressions = ruleExpressions(readRules());
  assert.ok(expressions.length >= 7, `only ${expressions.length} rule expressions found`);
  assert.deepEqual(problems(expressions), []);
});

test("every dashboard expression is valid PromQL (promtool parses each as a recording rule)", () => {
  const dir = mkdtempSync(join(tmpdir(), "push-hub-dashboard-"));
  try {
    const rules = dashboardExpressions(readDashboard()).map(({ expr }, i) => ({ record: `dashboard:expr_${i}`, expr: withoutVariables(expr) }));
    writeFileSync(join(dir, "dashboard.rules.json"), JSON.stringify({ groups: [{ name: "dashboard", rules }] }));
    const run = promtool(["check", "rules", join(dir, "dashboard.rules.json")]);
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every pushhub_* metric the hub exports has a panel (a new metric needs one, or a reason here)", () => {
  const family = (name: string) => name.replace(/_(bucket|sum|count)$/, "");
  const exported = new Set(series.filter((s) => s.name.startsWith("pushhub_") && !s.name.startsWith("pushhub_process_")).map((s) => family(s.name)));
  const onDashboard = new Set(dashboardExpressions(readDashboard()).flatMap(({ expr }) => referencesOf(expr).selectors.map((s) => family(s.metric))));
  assert.ok(exported.size >= 22, `only ${exported.size} pushhub_* metrics scraped (the webhook ones too?)`);
  assert.deepEqual([...exported].filter((m) => !onDashboard.has(m)).sort(), []);
});

test("the check fails on a wrong name: a misspelled metric, a histogram's bare name, the housekeeping label as `job`", () => {
  const [first] = dashboardExpressions(readDashboard()).filter(({ expr }) => expr.includes("pushhub_messages_acked_total"));
  assert.ok(first, "the dashboard shows acks");
  const misspelled = { where: "mutated", expr: first.expr.replace("pushhub_messages_acked_total", "pushhub_messages_ackd_total") };
  assert.deepEqual(problems([misspelled]), ["mutated: metric pushhub_messages_ackd_total"]);
  assert.deepEqual(problems([{ where: "bare", expr: "histogram_quantile(0.5, rate(pushhub_delivery_latency_seconds[5m]))" }]), [
    "bare: metric pushhub_delivery_latency_seconds",
  ]);
  assert.deepEqual(problems([{ where: "job", expr: 'rate(pushhub_housekeeping_runs_total{job="reap"}[5m])' }]), ['job: pushhub_housekeeping_runs_total{job="reap"}']);
});
