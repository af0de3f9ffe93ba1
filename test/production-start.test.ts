// How the hub starts as a service: `npm run build` then NODE_ENV=production `npm start` runs the
// compiled JavaScript; development defaults are refused where they would be exposed; /metrics can
// move to its own loopback listener behind a token.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { freePort } from "../loadtest/support/free-port.ts";
import { repoRoot } from "../loadtest/support/repo-root.ts";
import { waitFor } from "../loadtest/support/wait-for.ts";

const PROD_KEY = "prod-producer-key-0123456789";
const METRICS_TOKEN = "metrics-token-0123456789";
let db: TestDatabase | undefined;

before(async () => {
  db = await createTestDatabase("prodstart");
});
after(async () => {
  await db?.drop();
});

interface Started {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** `npm start` with exactly `env` over a clean environment (no NODE_ENV or secrets of the runner's). */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === "PATH" || k === "HOME" || k.startsWith("PRISMA_")));
  const child = spawn("npm", ["start", "--silent"], { cwd: repoRoot, env: { ...base, LOG_FORMAT: "json", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${env.PORT}`;
  await waitFor(async () => {
    if (gone) throw new Error(`npm start exited:\n${out}`);
    return (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
  }, "the hub to be ready", 60_000, 200);
  return {
    url,
    output: () => out,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** `npm start` that must refuse to start: its exit code and what it printed. */
function refusedStart(env: Record<string, string>): { status: number | null; output: string } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === "PATH" || k === "HOME" || k.startsWith("PRISMA_")));
  const r = spawnSync("npm", ["start", "--silent"], { cwd: repoRoot, env: { ...base, ...env }, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test("production npm start runs the compiled build; no dev-token route; /metrics on its own loopback port behind a token", async () => {
  const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
  assert.ok(db);
  const [port, metricsPort] = [await freePort(), await freePort()];
  const hub = await npmStart({
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: db.url,
    HUB_JWT_SECRET: "a-production-secret-0123456789",
    HUB_API_KEYS: PROD_KEY,
    METRICS_PORT: String(metricsPort),
    METRICS_TOKEN,
  });
  try {
    const listening = hub.output().split("\n").find((l) => l.includes('"push-hub listening"'));
    assert.ok(listening, hub.output());
    assert.equal(JSON.parse(listening).runs, "compiled", "production runs dist/, not TypeScript");
    const auth = { authorization: `Bearer ${PROD_KEY}`, "content-type": "application/json" };
    const posted = await fetch(`${hub.url}/api/messages`, { method: "POST", headers: auth, body: JSON.stringify({ uid: "u1", msg: "hi" }) });
    assert.equal(posted.status, 202);
    const token = await fetch(`${hub.url}/api/dev/token`, { method: "POST", headers: auth, body: JSON.stringify({ uid: "u1" }) });
    assert.equal(token.status, 404, "no route mints tokens in production");
    assert.equal((await fetch(`${hub.url}/metrics`)).status, 404, "/metrics is not on the public port");
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const anonymous = await fetch(metricsUrl);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, "unauthorized");
    const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /pushhub_messages_accepted_total 1/);
  } finally {
    await hub.stop();
  }
});

test("a development hub on an external database and a public host refuses the built-in secrets, saying what to set", async () => {
  assert.ok(db);
  const r = refusedStart({ PORT: String(await freePort()), HOST: "0.0.0.0", DATABASE_URL: db.url });
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /HUB_JWT_SECRET: the built-in development JWT secret is refused/);
  assert.match(r.output, /HUB_API_KEYS: the built-in API key dev-key is refused/);
  assert.match(r.output, /HOST=127\.0\.0\.1, or NODE_ENV=production/);
});

test("with its own secrets, an exposed development hub starts without the dev-token route and the demo", async () => {
  assert.ok(db);
  const port = await freePort();
  const hub = await npmStart({ PORT: String(port), HOST: "0.0.0.0", DATABASE_URL: db.url, HUB_JWT_SECRET: "a-real-secret-0123456789", HUB_API_KEYS: PROD_KEY });
  try {
    const headers = { authorization: `Bearer ${PROD_KEY}`, "content-type": "application/json" };
    assert.equal((await fetch(`${hub.url}/api/dev/token`, { method: "POST", headers, body: '{"uid":"u"}' })).status, 404);
    assert.equal((await fetch(`${hub.url}/`)).status, 404);
    assert.equal((await fetch(`${hub.url}/metrics`)).status, 200, "without METRICS_PORT, /metrics stays where the API is");
  } finally {
    await hub.stop();
  }
});

test("production refuses to start without its secrets", () => {
  const r = refusedStart({ NODE_ENV: "production", PORT: "1" });
  assert.equal(r.status, 1, r.output);
  for (const key of ["DATABASE_URL", "HUB_JWT_SECRET", "HUB_API_KEYS"]) assert.match(r.output, new RegExp(`${key}: required in production`));
});

/**
 * The shape of a production install (`NODE_ENV=production npm ci`): the package's files without dist/,
 * and node_modules without the dev dependencies — TypeScript itself stays (Prisma brings it), the type
 * packages and tsx do not. Top-level packages are linked from this checkout's node_modules.
 */
function productionInstall(): string {
  const dir = mkdtempSync(join(tmpdir(), "push-hub-prod-"));
  for (const entry of ["package.json", "tsconfig.json", "tsconfig.build.json", "scripts", "server", "config", "prisma"]) {
    cpSync(join(repoRoot, entry), join(dir, entry), { recursive: true, filter: (src) => !src.includes(`${sep}generated`) });
  }
  const dev = new Set(Object.keys((JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies));
  dev.delete("typescript"); // `npm ls typescript --omit=dev`: @prisma/client and prisma depend on it
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  const modules = join(repoRoot, "node_modules");
  for (const name of readdirSync(modules)) {
    if (name === "@types" || name === ".bin" || dev.has(name)) continue;
    if (!name.startsWith("@")) {
      symlinkSync(join(modules, name), join(dir, "node_modules", name));
      continue;
    }
    mkdirSync(join(dir, "node_modules", name), { recursive: true });
    for (const scoped of readdirSync(join(modules, name))) {
      if (!dev.has(`${name}/${scoped}`)) symlinkSync(join(modules, name, scoped), join(dir, "node_modules", name, scoped));
    }
  }
  assert.ok(existsSync(join(dir, "node_modules", "typescript")), "TypeScript is in a production install");
  return dir;
}

test("a production install without dist/ says in one line how to build it instead of failing to compile", () => {
  const dir = productionInstall();
  try {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === "PATH" || k === "HOME"));
    const prod = spawnSync("npm", ["start", "--silent"], { cwd: dir, env: { ...base, NODE_ENV: "production" }, encoding: "utf8", timeout: 60_000 });
    const said = `${prod.stdout}${prod.stderr}`.trim();
    assert.equal(prod.status, 1, said);
    assert.doesNotMatch(said, /error TS|compiling/, "it does not try to compile without the type packages");
    assert.equal(said.split("\n").length, 1, said);
    assert.match(said, /dist\/\) is missing/);
    assert.match(said, /`npm ci && npm run build`, then `npm prune --omit=dev`/);

    const devStart = spawnSync("npm", ["start", "--silent"], { cwd: dir, env: base, encoding: "utf8", timeout: 60_000 });
    const devSaid = `${devStart.stdout}${devStart.stderr}`.trim();
    assert.equal(devStart.status, 1, devSaid);
    assert.equal(devSaid.split("\n").length, 1, devSaid);
    assert.match(devSaid, /tsx, a dev dependency that is not installed: run `npm install`/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
