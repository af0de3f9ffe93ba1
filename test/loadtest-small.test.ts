/**
 * The small load scenario of the load-test suite: one hub instance (fresh database), 200 clients of
 * which 10 % connect only after publishing (backlog path), 100 msgs/s for 8 s. Fails on any loss,
 * or when the cost figures (CPU per delivered message, statements) are missing; makes no speed
 * assertions. Reports land in test-artifacts/loadtest-small/ for inspection.
 * Database/Redis: TEST_DATABASE_URL / DATABASE_URL (admin connection; the run creates and drops its
 * own database beside it) and TEST_REDIS_URL / REDIS_URL, else the local defaults.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { optionsSchema } from "../loadtest/cli-options.ts";
import { runLoadTest } from "../loadtest/load-test.ts";

test("small load scenario: 200 clients, ~10 s, nothing accepted is lost", async () => {
  const options = optionsSchema.parse({
    clients: 200,
    rate: 100,
    durationSec: 8,
    graceSec: 30,
    latePercent: 10,
    connectRatePerSec: 500,
    outDir: "test-artifacts/loadtest-small",
    name: `small-${Date.now()}`,
    quiet: true,
    databaseAdminUrl: process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    redisUrl: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  });
  const { result, files } = await runLoadTest(options);
  const hub = result.hub;
  assert.ok(hub, "the hub scenario ran");
  const m = hub.messages;
  const context = `report: ${files?.html}; lost sample: ${JSON.stringify(hub.lostSample)}; errors: ${JSON.stringify(hub.errorSample.slice(0, 5))}`;
  assert.equal(hub.clients.connectErrors, 0, context);
  assert.ok(m.accepted > 0, context);
  assert.equal(m.rejected + m.requestErrors, 0, context);
  assert.equal(m.misrouted, 0, context);
  assert.equal(m.lost, 0, context);
  assert.ok(m.received >= m.accepted, context);
  assert.ok(hub.backlog.latencyMs.count > 0, "late clients received their backlog");
  const d = hub.messages.deliveries;
  assert.equal(d.messageEvents + d.framedMessages, m.received + m.duplicates, "every receipt came by one of the two delivery events");

  const cost = hub.cost;
  assert.ok(cost, "the cost figures were measured");
  assert.equal(cost.delivered, m.received);
  assert.deepEqual(cost.problems, []);
  assert.ok((cost.serverMsPerMessage ?? 0) > 0, `hub CPU per message: ${JSON.stringify(cost.groups)}`);
  assert.ok(cost.groups.some((g) => g.group === "postgres" && g.processes > 0), "the run's database backends were read");
  assert.equal(cost.redis, null, "one instance without --redis uses no Redis");
  const statements = cost.pgStatements;
  assert.ok(statements, "a hub run has a database");
  if ("unavailable" in statements) assert.match(statements.unavailable, /pg_stat_statements/);
  else assert.ok(statements.top.some((x) => x.query.includes("INSERT INTO uid_heads")), JSON.stringify(statements.top.map((x) => x.query)));
  assert.equal(result.ok, true);
});
