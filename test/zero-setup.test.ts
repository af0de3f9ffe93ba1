// Zero-setup start, as a new developer does it: a fresh copy of the repository, `npm install`,
// `npm start` with no DATABASE_URL/REDIS_URL → embedded PostgreSQL in a child process; a message
// goes through end to end; SIGTERM stops everything (no orphan); a restart keeps the history.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { freePort } from "../loadtest/support/free-port.ts";
import { repoRoot } from "../loadtest/support/repo-root.ts";
import { waitFor } from "../loadtest/support/wait-for.ts";
import { api, messageStatus, publish } from "./support/http.ts";

const INSTALL_TIMEOUT_MS = 300_000;
const READY_TIMEOUT_MS = 60_000;
/** Never copied: installed, generated, or local state. */
const SKIP = new Set(["node_modules", ".git", "data", "test-artifacts", "generated", "results"]);

const work = mkdtempSync(join(tmpdir(), "push-hub-zero-setup-"));
const clone = join(work, "push-hub");

interface Started {
  npm: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  exited: Promise<number | string>;
  embeddedPid: number;
  readyMs: number;
}
const running: Started[] = [];

/** Tracked and untracked-but-not-ignored files, like a clone with the current work on top. */
function copyWorkingTree(): void {
  const listed = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: repoRoot, encoding: "utf8" });
  if (listed.status === 0 && listed.stdout.length > 0) {
    for (const file of listed.stdout.split("\0").filter(Boolean)) {
      if (!existsSync(join(repoRoot, file))) continue; // deleted in the working tree
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(repoRoot, file), join(clone, file));
    }
  } else {
    cpSync(repoRoot, clone, { recursive: true, filter: (src) => !SKIP.has(src.split("/").pop() ?? "") });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Math.round(Number(kb) / 1024);
}

async function npmStart(): Promise<Started> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", LOG_FORMAT: "json" };
  for (const key of Object.keys(env)) {
    if (key.startsWith("npm_") || ["DATABASE_URL", "REDIS_URL", "NODE_ENV", "EMBEDDED_PG_DIR", "EMBEDDED_PG_PORT", "HUB_DEMO"].includes(key)) {
      delete env[key];
    }
  }
  const started = Date.now();
  // Its own process group, so cleanup after a failure can reach every descendant.
  const npm = spawn("npm", ["start"], { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  npm.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  npm.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((done) => npm.once("exit", (code, signal) => done(code ?? signal ?? "?")));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  const handle: Started = { npm, port, url, output: () => out, exited, embeddedPid: 0, readyMs: 0 };
  running.push(handle);
  await waitFor(
    async () => {
      if (gone) throw new Error("npm start exited");
      return (await fetch(`${url}/readyz`)).status === 200;
    },
    "/readyz 200",
    READY_TIMEOUT_MS,
    200,
  ).catch((e: Error) => assert.fail(`${e.message}\n${out}`));
  handle.readyMs = Date.now() - started;
  const line = out.split("\n").find((l) => l.includes('"embedded PostgreSQL is ready"'));
  assert.ok(line, `the hub reports its embedded database:\n${out}`);
  handle.embeddedPid = (JSON.parse(line) as { childPid: number }).childPid;
  assert.ok(isAlive(handle.embeddedPid));
  assert.match(readFileSync(`/proc/${handle.embeddedPid}/cmdline`, "utf8"), /pglite-server\.ts/);
  return handle;
}

async function sigterm(s: Started): Promise<number | string> {
  process.kill(s.npm.pid!, "SIGTERM");
  const code = await Promise.race([s.exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 20_000))]);
  assert.notEqual(code, "timeout", `npm start did not exit after SIGTERM:\n${s.output()}`);
  await waitFor(() => !isAlive(s.embeddedPid), `embedded PostgreSQL (pid ${s.embeddedPid}) to exit`, 5000, 50);
  // Helpers such as tsx's esbuild service leave a few ms after their parent; none may stay.
  await waitFor(() => !isAlive(-s.npm.pid!), "npm start's process group to be empty", 5000, 50).catch((e: Error) => {
    const left = spawnSync("ps", ["-o", "pid,stat,cmd", "-g", String(s.npm.pid)], { encoding: "utf8" }).stdout;
    assert.fail(`${e.message}:\n${left}`);
  });
  return code;
}

before(() => {
  copyWorkingTree();
  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: clone,
    encoding: "utf8",
    timeout: INSTALL_TIMEOUT_MS,
  });
  assert.equal(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
  assert.ok(existsSync(join(clone, "server", "generated", "prisma")), "npm install generates the Prisma client");
});

after(() => {
  for (const s of running) {
    try {
      process.kill(-s.npm.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    if (s.embeddedPid && isAlive(s.embeddedPid)) process.kill(s.embeddedPid, "SIGKILL");
  }
  rmSync(work, { recursive: true, force: true });
});

test("npm start with no DATABASE_URL: embedded PostgreSQL, end-to-end delivery, clean stop, data kept", async (t) => {
  const uid = "zero-setup-user";
  const first = await npmStart();
  t.diagnostic(`fresh start → ready in ${first.readyMs} ms; embedded PostgreSQL RSS ${rssMb(first.embeddedPid)} MB`);
  assert.ok(existsSync(join(clone, "data", "pg", "PG_VERSION")), "data lives in ./data/pg");
  assert.match(first.output(), new RegExp(`http://[\\w.-]+:${first.port}/`), "prints the demo page URL");

  const token = await api(first.url, "POST", "/api/dev/token", { uid });
  assert.equal(token.status, 200, JSON.stringify(token.body));
  const socket = io(first.url, { auth: { token: token.body.token }, reconnection: false, forceNew: true });
  try {
    const arrived = new Promise<{ id: string; msg: unknown }>((done) =>
      socket.on("message", (payload: { id: string; msg: unknown }, ack: () => void) => {
        ack();
        done(payload);
      }),
    );
    await new Promise<void>((done, fail) => {
      socket.once("connect", () => done());
      socket.once("connect_error", fail);
    });
    const id = await publish(first.url, uid, { hello: "from zero setup" });
    const payload = await Promise.race([arrived, new Promise<never>((_, no) => setTimeout(() => no(new Error("no message within 15 s")), 15_000))]);
    assert.equal(payload.id, id);
    assert.deepEqual(payload.msg, { hello: "from zero setup" });
    await waitFor(async () => (await messageStatus(first.url, id)) === "delivered", "delivered");
  } finally {
    socket.close();
  }

  assert.equal(await sigterm(first), 0, `npm start exits 0 on SIGTERM:\n${first.output()}`);

  const second = await npmStart();
  t.diagnostic(`restart → ready in ${second.readyMs} ms; embedded PostgreSQL RSS ${rssMb(second.embeddedPid)} MB`);
  const history = await api(second.url, "GET", `/api/users/${uid}/messages`);
  assert.equal(history.status, 200);
  assert.equal(history.body.messages.length, 1, JSON.stringify(history.body));
  assert.deepEqual(history.body.messages[0].msg, { hello: "from zero setup" });
  assert.equal(history.body.messages[0].status, "delivered");
  assert.equal(await sigterm(second), 0);
});
