// ALLOWED_ORIGINS in a real Chromium: a page served from another origin opens a socket (polling
// handshake and WebSocket alike) and calls the HTTP API only when its origin is listed.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_API_KEY } from "./support/env.ts";
import { freePort } from "../loadtest/support/free-port.ts";
import { authHeaders, startTestHub, type TestHub } from "./support/test-hub.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let db: TestDatabase | undefined;
let hub: TestHub | undefined;
let context: BrowserContext | undefined;
let profile = "";
const pages: { server: Server; origin: string }[] = [];

/** A site of its own origin serving one empty page. */
async function startSite(): Promise<string> {
  const port = await freePort();
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>app</title>"));
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${port}`;
  pages.push({ server, origin });
  return origin;
}

let allowedSite = "";
let otherSite = "";

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  allowedSite = await startSite();
  otherSite = await startSite();
  db = await createTestDatabase("origins");
  hub = await startTestHub(db.url, { ALLOWED_ORIGINS: allowedSite });
  profile = mkdtempSync(join(tmpdir(), "push-hub-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});

after(async () => {
  await context?.close().catch(() => undefined);
  if (profile) rmSync(profile, { recursive: true, force: true });
  await hub?.stop();
  await db?.drop();
  for (const p of pages) p.server.close();
});

const IN_PAGE = `async ({ hubUrl, token, key }) => {
  function connect(transports) {
    return new Promise((resolve) => {
      const socket = io(hubUrl, { auth: { token }, transports, reconnection: false, timeout: 5000 });
      socket.on("connect", () => { socket.close(); resolve("connected"); });
      socket.on("connect_error", (e) => { socket.close(); resolve("refused: " + e.message); });
    });
  }
  const api = await fetch(hubUrl + "/api/messages", {
    method: "POST",
    headers: { authorization: "Bearer " + key, "content-type": "application/json" },
    body: JSON.stringify({ uid: "cors-user", msg: "from a page" }),
  }).then((r) => "status " + r.status, (e) => "blocked: " + e.name);
  return { polling: await connect(["polling"]), websocket: await connect(["websocket"]), api };
}`;

interface Attempt {
  polling: string;
  websocket: string;
  api: string;
}

/** From a page of `site`: a socket over each transport, and an API call with the key. */
async function attemptFrom(site: string): Promise<Attempt> {
  assert.ok(context && hub);
  const token = ((await (await fetch(`${hub.url}/api/dev/token`, { method: "POST", headers: authHeaders(), body: '{"uid":"cors-user"}' })).json()) as { token: string }).token;
  const page = await context.newPage();
  try {
    await page.goto(site);
    await page.addScriptTag({ url: `${hub.url}/socket.io/socket.io.min.js` });
    // A string, not a function: the test's TypeScript is transformed with helpers the page does not have.
    const args = JSON.stringify({ hubUrl: hub.url, token, key: TEST_API_KEY });
    return (await page.evaluate(`(${IN_PAGE})(${args})`)) as Attempt;
  } finally {
    await page.close();
  }
}

test("a listed origin connects over both transports and calls the API", async () => {
  assert.deepEqual(await attemptFrom(allowedSite), { polling: "connected", websocket: "connected", api: "status 202" });
});

test("any other origin is refused on both transports and cannot call the API", async () => {
  const attempt = await attemptFrom(otherSite);
  assert.match(attempt.polling, /^refused/);
  assert.match(attempt.websocket, /^refused/);
  assert.equal(attempt.api, "blocked: TypeError");
});
