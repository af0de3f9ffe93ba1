/**
 * The measurement window against real services: a redis-server of its own, a database of its own on
 * the PostgreSQL server (TEST_DATABASE_URL / DATABASE_URL admin connection, else the local default).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Redis } from "ioredis";
import pg from "pg";
import { createMeasurement } from "./measurement.ts";
import { preparePgStatements } from "./pg-statements.ts";
import { launchRedisServer } from "./redis-server-launcher.ts";

const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Spins until this process has used `sec` more CPU seconds. */
function burnCpu(sec: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1e6 >= sec) return;
  }
}

test("one window: CPU by group from /proc, Redis commands by name, the database's statements", async () => {
  const database = `pushhub_measure_${randomBytes(4).toString("hex")}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
  const logDir = await mkdtemp(join(tmpdir(), "push-hub-measure-"));
  await admin(`CREATE DATABASE "${database}"`);
  const redisServer = await launchRedisServer({ logDir, readyTimeoutMs: 15_000 });
  const redis = new Redis(redisServer.url);
  const work = new pg.Client({ connectionString: databaseUrl, application_name: "measured-work" });
  try {
    const statementsUnavailable = await preparePgStatements({ databaseUrl, database, track: "top" });
    await work.connect();
    const workPid = (await work.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
    await work.query("SELECT 42 AS before_window");
    await redis.set("before-window", "1");

    const m = createMeasurement({
      processes: [{ pid: process.pid, group: "servers", label: "this test" }],
      redis: { url: redisServer.url, dedicated: true, pid: redisServer.pid },
      postgres: { adminUrl, database, databaseUrl, statementsUnavailable },
    });
    await m.window.start();
    for (let i = 0; i < 7; i++) await work.query("SELECT $1::int + 1 AS inside_window", [i]);
    for (let i = 0; i < 10; i++) await redis.publish("measured", String(i));
    for (let i = 0; i < 5; i++) await redis.set(`k${i}`, "v");
    burnCpu(0.3);
    await m.window.end();
    const result = m.result();
    assert.ok(result, "measured");

    const mine = result.cpu.processes.find((p) => p.pid === process.pid);
    assert.ok(mine && mine.group === "servers" && mine.cpuSec >= 0.28, JSON.stringify(mine));
    assert.ok(result.cpu.processes.some((p) => p.group === "redis" && p.pid === redisServer.pid), "the redis-server is read");
    const backend = result.cpu.processes.find((p) => p.pid === workPid);
    assert.equal(backend?.group, "postgres", "the run's database's backend counts as postgres");
    assert.ok(!result.cpu.processes.some((p) => p.group === "postgres" && p.pid !== workPid), "the tool's own connections are not counted");
    assert.deepEqual(result.cpu.problems, []);

    assert.ok(result.redis && "commands" in result.redis, JSON.stringify(result.redis));
    assert.deepEqual(
      result.redis.commands.map((c) => [c.command, c.calls]),
      [["publish", 10], ["set", 5]],
    );

    if (statementsUnavailable === null) {
      assert.ok(Array.isArray(result.pgStatements), JSON.stringify(result.pgStatements));
      const inside = result.pgStatements.find((s) => s.query.includes("inside_window"));
      assert.equal(inside?.calls, 7);
      assert.equal(inside?.rows, 7);
      assert.ok(!result.pgStatements.some((s) => s.query.includes("before_window")), "entries before the window were reset");
    } else {
      assert.match(statementsUnavailable, /pg_stat_statements/);
      assert.equal(result.pgStatements, statementsUnavailable);
    }
  } finally {
    redis.disconnect();
    await work.end().catch(() => undefined);
    await redisServer.stop();
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await rm(logDir, { recursive: true, force: true });
  }
});

test("a Redis that does not answer is reported, not thrown", async () => {
  const m = createMeasurement({ processes: [], redis: { url: "redis://127.0.0.1:1", dedicated: false } });
  await m.window.start();
  await m.window.end();
  const redis = m.result()?.redis;
  assert.ok(redis && "unavailable" in redis, JSON.stringify(redis));
  assert.match(redis.unavailable, /redis:\/\/127\.0\.0\.1:1/);
});
