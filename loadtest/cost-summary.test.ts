import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuPercent, msPerMessage, perMessage, ratioOf } from "./cost-figures.ts";
import { buildCost, statementCosts } from "./cost-summary.ts";
import type { Measured } from "./measurement.ts";

test("per-message arithmetic: ms of CPU, counts, % of a core, ratios", () => {
  assert.equal(msPerMessage(2.5, 10_000), 0.25);
  assert.equal(msPerMessage(1, 3), 333.3333);
  assert.equal(msPerMessage(1, 0), null);
  assert.equal(perMessage(12_345, 5000), 2.469);
  assert.equal(perMessage(5, 0), null);
  assert.equal(cpuPercent(3, 12), 25);
  assert.equal(cpuPercent(3, 0), 0);
  assert.equal(ratioOf(0.5, 0.25), 2);
  assert.equal(ratioOf(0.5, 0), null);
  assert.equal(ratioOf(null, 1), null);
  assert.equal(ratioOf(1, undefined), null);
});

const measured = (over: Partial<Measured> = {}): Measured => ({
  cpu: {
    startMs: 11_000,
    endMs: 21_000,
    processes: [
      { pid: 5, group: "cpu-hog", label: "cpu-hog-0", cpuSec: 9.5, bornInWindow: false },
      { pid: 1, group: "servers", label: "hub-0", cpuSec: 3, bornInWindow: false },
      { pid: 2, group: "servers", label: "hub-1", cpuSec: 2, bornInWindow: false },
      { pid: 3, group: "postgres", label: "client backend 3", cpuSec: 0.5, bornInWindow: false },
      { pid: 4, group: "postgres", label: "client backend 4", cpuSec: 0.25, bornInWindow: true },
    ],
    problems: [],
  },
  redis: { url: "redis://127.0.0.1:7000", dedicated: true, commands: [{ command: "publish", calls: 20_000, usec: 60_000 }, { command: "evalsha", calls: 5000, usec: 40_000 }] },
  pgStatements: null,
  ...over,
});

test("CPU per group (in a fixed order) and per delivered message over the window; servers summed over instances", () => {
  const c = buildCost(measured(), { t0: 10_000, delivered: 10_000 });
  assert.deepEqual(c.window, { from: 1, to: 11, seconds: 10 });
  assert.deepEqual(c.groups, [
    { group: "servers", processes: 2, cpuSec: 5, cpuPct: 50, msPerMessage: 0.5 },
    { group: "postgres", processes: 2, cpuSec: 0.75, cpuPct: 7.5, msPerMessage: 0.075 },
    { group: "cpu-hog", processes: 1, cpuSec: 9.5, cpuPct: 95, msPerMessage: null },
  ]);
  assert.equal(c.serverMsPerMessage, 0.5);
  assert.equal(c.pgStatements, null);
});

test("Redis commands per delivered message, in total and per command", () => {
  const c = buildCost(measured(), { t0: 10_000, delivered: 10_000 });
  assert.deepEqual(c.redis, {
    url: "redis://127.0.0.1:7000", dedicated: true, totalCalls: 25_000, callsPerMessage: 2.5, usecPerMessage: 10,
    commands: [
      { command: "publish", calls: 20_000, perMessage: 2, usecPerCall: 3 },
      { command: "evalsha", calls: 5000, perMessage: 0.5, usecPerCall: 8 },
    ],
  });
  assert.deepEqual(buildCost(measured({ redis: { unavailable: "refused" } }), { t0: 0, delivered: 1 }).redis, { unavailable: "refused" });
  assert.equal(buildCost(measured({ redis: null }), { t0: 0, delivered: 1 }).redis, null);
});

test("statements: top by total time, per call and per row; totals over top-level ones only", () => {
  const rows = [
    { query: "SELECT push_hub_accept($1,\n  $2)", calls: 50, totalMs: 400, rows: 5000, toplevel: true },
    { query: "INSERT INTO messages …", calls: 50, totalMs: 300, rows: 5000, toplevel: false },
    { query: "SELECT push_hub_advance($1)", calls: 200, totalMs: 100, rows: 0, toplevel: true },
  ];
  const s = statementCosts(rows, 5000, 2);
  assert.equal(s.statements, 3);
  assert.equal(s.totalMs, 500);
  assert.equal(s.totalCalls, 250);
  assert.equal(s.msPerMessage, 0.1);
  assert.deepEqual(s.top, [
    { query: "SELECT push_hub_accept($1, $2)", calls: 50, totalMs: 400, msPerCall: 8, rows: 5000, usPerRow: 80, toplevel: true },
    { query: "INSERT INTO messages …", calls: 50, totalMs: 300, msPerCall: 6, rows: 5000, usPerRow: 60, toplevel: false },
  ]);
  assert.deepEqual(statementCosts([rows[2] as (typeof rows)[number]], 0).top[0]?.usPerRow, null);
  assert.deepEqual(buildCost(measured({ pgStatements: "pg_stat_statements unavailable: nope" }), { t0: 0, delivered: 1 }).pgStatements, { unavailable: "pg_stat_statements unavailable: nope" });
});
