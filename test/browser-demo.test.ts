// The demo page in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
// hub on real PostgreSQL: open a uid on the page's two devices (each its own SDK connection), receive a
// published message live on both, mark it read on one and see the other follow, send one from the page,
// and check that HTML in a message is shown as text under the page's strict CSP.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { freePort } from "../loadtest/support/free-port.ts";
import { startHubProcess } from "../loadtest/support/hub-process.ts";
import { repoRoot } from "../loadtest/support/repo-root.ts";
import type { ServiceProcess } from "../loadtest/support/service-process.ts";
import { waitFor } from "../loadtest/support/wait-for.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_API_KEY } from "./support/env.ts";
import { api, messageStatus, publish } from "./support/http.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const XSS = "<img src=x onerror=alert(1)><script>x</script>";

let db: TestDatabase | undefined;
let hub: ServiceProcess | undefined;
let context: BrowserContext | undefined;
let profile = "";

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  db = await createTestDatabase("demo");
  // development, as a developer runs it: the demo is on there by default.
  hub = await startHubProcess(await freePort(), { NODE_ENV: "development", DATABASE_URL: db.url, REDIS_URL: "", HUB_DEMO: "" }, { readyTimeoutMs: 60_000 });
  profile = mkdtempSync(join(tmpdir(), "push-hub-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
  });
});

after(async () => {
  await context?.close().catch(() => undefined);
  if (profile) rmSync(profile, { recursive: true, force: true });
  await hub?.stop();
  await db?.drop();
});

test("demo page: two devices connect, receive live, read on one clears the other, send, HTML shown as text", async () => {
  assert.ok(context && hub);
  const base = hub.url;
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  const res = await page.goto(`${base}/`);
  assert.equal(res?.status(), 200);
  assert.doesNotMatch(res?.headers()["content-security-policy"] ?? "", /unsafe-inline/);
  assert.equal(await page.inputValue("#api-key"), TEST_API_KEY);

  const uid = `demo-${Date.now().toString(36)}`;
  await page.fill("#uid", uid);
  await page.click("#open-btn");
  const a = page.locator("#device-a");
  const b = page.locator("#device-b");
  for (const device of [a, b]) {
    await device.locator(".status", { hasText: "connected" }).waitFor({ timeout: 15_000 });
    assert.equal(await device.getAttribute("data-status"), "connected");
    await waitFor(async () => (await device.locator(".unread").textContent()) === "0", "unread 0 on connect");
  }

  // Published through the HTTP API → shown live on both devices, acked by the SDK → delivered.
  const first = await publish(base, uid, { title: "Build passed", body: "main is green", build: 1427 });
  for (const device of [a, b]) {
    const card = device.locator(`li.message[data-id="${first}"]`);
    await card.waitFor({ timeout: 15_000 });
    assert.match((await card.locator(".message-body").textContent()) ?? "", /"title": "Build passed"/);
    assert.equal(await card.getAttribute("data-status"), "unread");
    await waitFor(async () => (await device.locator(".unread").textContent()) === "1", "unread 1");
  }
  await waitFor(async () => (await messageStatus(base, first)) === "delivered", `#${first} delivered`);

  // Marked read on A → SDK markRead → stored; B hears readState and the new count.
  await a.locator(`li.message[data-id="${first}"] .mark-read`).click();
  await a.locator(`li.message[data-id="${first}"][data-status="read"]`).waitFor({ timeout: 10_000 });
  await b.locator(`li.message[data-id="${first}"][data-status="read"]`).waitFor({ timeout: 10_000 });
  await waitFor(async () => (await b.locator(".unread").textContent()) === "0", "B's unread back to 0");
  await waitFor(async () => (await messageStatus(base, first)) === "read", `#${first} read`);

  // Markup in a message is text, never markup.
  const hostile = await publish(base, uid, XSS);
  for (const device of [a, b]) {
    const hostileCard = device.locator(`li.message[data-id="${hostile}"]`);
    await hostileCard.waitFor({ timeout: 15_000 });
    assert.equal(await hostileCard.locator(".message-body").textContent(), XSS);
  }
  assert.equal(await page.locator(".messages img, .messages script").count(), 0);

  // Sent from the page's own form, to the uid both devices are.
  await page.fill("#msg", '{"text": "hello from the browser"}');
  await page.click("#send-btn");
  await page.waitForSelector("#send-result.ok", { timeout: 10_000 });
  const sent = /#(\d+)/.exec((await page.textContent("#send-result")) ?? "")?.[1];
  assert.ok(sent, "the page shows the queued id");
  for (const device of [a, b]) await device.locator(`li.message[data-id="${sent}"]`).waitFor({ timeout: 15_000 });
  await waitFor(async () => (await messageStatus(base, sent)) === "delivered", `#${sent} delivered`);
  // Newest at the top, each message once.
  assert.deepEqual(await a.locator("li.message").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-id"))), [sent, hostile, first]);
  assert.deepEqual(await b.locator("li.message").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-deliveries"))), ["1", "1", "1"]);

  // The topic card: device A subscribes the uid; a live event reaches both devices (never stored).
  await page.click("#subscribe-btn");
  await page.waitForSelector("#topic-result.ok", { timeout: 10_000 });
  assert.match((await page.textContent("#topic-result")) ?? "", /subscribed .* to demo:scores/);
  assert.deepEqual((await api(base, "GET", `/api/users/${uid}/topics`)).body.topics, ["demo:scores"]);
  await page.click("#live-btn");
  for (const device of [a, b]) await waitFor(async () => (await device.getAttribute("data-live")) === "1", "each device hears the live event once");
  await page.fill("#topic", "elsewhere:x");
  await page.click("#subscribe-btn");
  await page.waitForSelector("#topic-result.err", { timeout: 10_000 });
  assert.match((await page.textContent("#topic-result")) ?? "", /forbidden|may not|does not allow/, "outside the token's topics claim");

  await page.waitForTimeout(400); // let the arrival animation settle
  mkdirSync(join(repoRoot, "test-artifacts"), { recursive: true });
  await page.screenshot({ path: join(repoRoot, "test-artifacts", "demo.png"), fullPage: true });

  assert.deepEqual(dialogs, [], "no script from a message ran");
  assert.deepEqual(problems, [], "no console errors or CSP violations");
  await page.close();
});

test("demo assets: right types, strict headers, nothing inline or third-party", async () => {
  assert.ok(hub);
  for (const [path, type] of [
    ["/", "text/html"],
    ["/demo.js", "text/javascript"],
    ["/demo-topic.js", "text/javascript"],
    ["/demo.css", "text/css"],
  ] as const) {
    const res: Response = await fetch(`${hub.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.ok(res.headers.get("content-type")?.startsWith(type), `${path}: ${res.headers.get("content-type")}`);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match(res.headers.get("content-security-policy") ?? "", /^default-src 'self';.*frame-ancestors 'none'$/);
  }
  const html = await (await fetch(`${hub.url}/`)).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, "no inline script");
  assert.doesNotMatch(html, /<style|\sstyle=/i, "no inline style");
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i, "nothing loaded from elsewhere");
  assert.match(html, /<script type="module" src="\/demo.js"><\/script>/, "demo.js is an ES module");
  const demo = await (await fetch(`${hub.url}/demo.js`)).text();
  assert.match(demo, /^import \{[^}]*\bconnect\b[^}]*\} from "\/client\/index.js";$/m, "the demo runs on the SDK the hub serves");
  assert.doesNotMatch(demo, /innerHTML|insertAdjacentHTML|outerHTML/, "message content is never parsed as HTML");
  assert.doesNotMatch(await (await fetch(`${hub.url}/demo-topic.js`)).text(), /innerHTML|insertAdjacentHTML|outerHTML/);
  assert.equal((await fetch(`${hub.url}/client/index.js`)).status, 200, "the hub serves the client SDK");
  assert.equal((await fetch(`${hub.url}/socket.io/socket.io.esm.min.js`)).status, 200, "and the Socket.IO client it imports");
});
