import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import pino from "pino";
import { EmbeddedDatabaseError } from "./embedded-database-error.ts";
import { MigrationError } from "./migration-error.ts";
import { acceptStatement } from "../store/accept-statement.ts";
import { applyMigrations } from "./apply-migrations.ts";
import { startEmbeddedPostgres } from "./start-embedded-postgres.ts";

const logger = pino({ level: "silent" });
const root = mkdtempSync(join(tmpdir(), "push-hub-embedded-"));
const dataDir = join(root, "pg");
const start = (dir = dataDir, port = 0) => startEmbeddedPostgres({ dataDir: dir, port, maxConnections: 8, logger });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Embedded children still running for `dir` (their command line names it). */
function childrenOf(dir: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`--data-dir=${dir}\0`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<EmbeddedDatabaseError> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EmbeddedDatabaseError, String(err));
  assert.equal(err.code, code, err.message);
  assert.doesNotMatch(err.message, /\n\s+at /, "a message, not a stack trace");
  return err;
}

before(() => mkdirSync(dataDir, { recursive: true }));
after(() => rmSync(root, { recursive: true, force: true }));

test("creates a database, migrates it, keeps rows across a restart, stops its child", async () => {
  const first = await start();
  try {
    await applyMigrations(first.url, logger);
    const c = new pg.Client({ connectionString: first.url });
    await c.connect();
    // The accept statement (into the partitioned log) runs on the embedded engine as on PostgreSQL.
    const accept = acceptStatement(randomUUID(), [
      { producer: "p", scope: "message", key: null, hash: "h", messages: [{ uid: "u1", msg: { n: 1 }, body: '{"n":1}', bytes: 7, type: 4, clientType: 0, ttlSeconds: null, expiresAt: null }] },
    ], null);
    await c.query(accept.text, accept.values);
    await c.end();
  } finally {
    await first.stop();
  }
  await first.stop(); // idempotent
  assert.equal(alive(first.pid), false);

  const second = await start();
  try {
    await applyMigrations(second.url, logger); // nothing pending: still succeeds
    const c2 = new pg.Client({ connectionString: second.url });
    await c2.connect();
    const { rows } = await c2.query("select to_uid from messages");
    await c2.end();
    assert.deepEqual(rows, [{ to_uid: "u1" }]);
  } finally {
    await second.stop();
  }
});

test("a taken port is reported, and no child is left behind", async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const err = await rejectsWith(start(dataDir, port), "embedded_port_in_use");
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
    assert.deepEqual(childrenOf(dataDir), []);
  } finally {
    blocker.close();
  }
});

test("unusable data directories are reported", async () => {
  const file = join(root, "a-file");
  writeFileSync(file, "x");
  await rejectsWith(start(file), "embedded_data_dir_unusable");
  await rejectsWith(start(join(file, "pg")), "embedded_data_dir_unusable");
  const foreign = join(root, "foreign");
  mkdirSync(foreign);
  writeFileSync(join(foreign, "notes.txt"), "mine");
  const err = await rejectsWith(start(foreign), "embedded_data_dir_unusable");
  assert.match(err.message, /not empty/);
  const broken = join(root, "broken");
  mkdirSync(broken);
  writeFileSync(join(broken, "PG_VERSION"), "17\n");
  await rejectsWith(start(broken), "embedded_data_dir_unusable");
  assert.deepEqual(childrenOf(broken), []);
});

test("a data directory in use by another hub is refused", async () => {
  const running = await start();
  try {
    const err = await rejectsWith(start(), "embedded_data_dir_locked");
    assert.match(err.message, new RegExp(`pid ${running.pid}`));
  } finally {
    await running.stop();
  }
});

test("the child exits when the hub process is killed (no orphan)", async () => {
  const module = fileURLToPath(new URL("./start-embedded-postgres.ts", import.meta.url));
  const script = `
    import pino from "pino";
    import { startEmbeddedPostgres } from ${JSON.stringify(module)};
    const e = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: 0, maxConnections: 4, logger: pino({ level: "silent" }) });
    process.stdout.write(JSON.stringify({ pid: e.pid }) + "\\n");
    setInterval(() => {}, 1000);`;
  const hub = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    hub.stdout.once("data", (d: Buffer) => resolve(d.toString()));
    hub.once("exit", (code) => reject(new Error(`hub exited early (${code})`)));
  });
  const { pid } = JSON.parse(line) as { pid: number };
  assert.ok(alive(pid));
  hub.kill("SIGKILL");
  assert.ok(await waitGone(pid, 10_000), `embedded child ${pid} outlived its parent`);
  // It shut down cleanly: the lock is released and the directory opens again at once.
  const again = await start();
  await again.stop();
});

test("a failed migration becomes a clear MigrationError", async () => {
  const err = await applyMigrations("postgresql://postgres@127.0.0.1:1/none", logger).then(
    () => assert.fail("expected a failure"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MigrationError);
  assert.equal(err.code, "migration_failed");
  assert.match(err.message, /^Database migrations failed \(P1001\): Can't reach database server/);
});
